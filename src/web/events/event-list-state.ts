// The live event list: applies the watch messages (snapshot, then upserts/deletes). Pure.

import type { EventView, EventWatchMessage } from '../../shared/api.js';

export interface EventListState {
  events: ReadonlyMap<string, EventView>;
  loaded: boolean;
  error: string | null;
}

export const INITIAL_EVENT_LIST: EventListState = { events: new Map(), loaded: false, error: null };

export function applyEventWatch(state: EventListState, message: EventWatchMessage): EventListState {
  switch (message.type) {
    case 'snapshot':
      return { events: new Map(message.events.map((e) => [e.uid, e])), loaded: true, error: null };
    case 'upsert': {
      const events = new Map(state.events);
      events.set(message.event.uid, message.event);
      return { ...state, events };
    }
    case 'delete': {
      if (!state.events.has(message.uid)) return state;
      const events = new Map(state.events);
      events.delete(message.uid);
      return { ...state, events };
    }
    case 'error':
      return { ...state, error: message.message };
    default:
      return state;
  }
}

export type EventOrder = 'newest' | 'oldest';

export function parseEventOrder(value: string | null): EventOrder {
  return value === 'oldest' ? 'oldest' : 'newest';
}
