// The live pod list: applies the watch messages (snapshot, then upserts/deletes). Pure.

import type { PodSummary, PodWatchMessage } from '../../shared/api.js';

export interface PodListState {
  pods: ReadonlyMap<string, PodSummary>;
  /** A snapshot arrived (so an empty list means "no pods", not "still loading"). */
  loaded: boolean;
  error: string | null;
}

export const INITIAL_POD_LIST: PodListState = { pods: new Map(), loaded: false, error: null };

export function applyPodWatch(state: PodListState, message: PodWatchMessage): PodListState {
  switch (message.type) {
    case 'snapshot':
      return { pods: new Map(message.pods.map((p) => [p.name, p])), loaded: true, error: null };
    case 'upsert': {
      const pods = new Map(state.pods);
      pods.set(message.pod.name, message.pod);
      return { ...state, pods };
    }
    case 'delete': {
      if (!state.pods.has(message.name)) return state;
      const pods = new Map(state.pods);
      pods.delete(message.name);
      return { ...state, pods };
    }
    case 'error':
      return { ...state, error: message.message };
    default:
      return state;
  }
}
