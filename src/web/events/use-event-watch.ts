import { useReducer } from 'react';
import type { EventWatchMessage } from '../../shared/api.js';
import { apiPaths, withQuery } from '../common/api-paths.js';
import type { SocketStatus } from '../common/reconnecting-socket.js';
import { useSocket } from '../common/use-socket.js';
import { applyEventWatch, INITIAL_EVENT_LIST, type EventListState } from './event-list-state.js';

/** Live events of a namespace, or of one pod when `pod` is given. */
export function useEventWatch(
  cluster: string,
  namespace: string,
  pod: string | null,
): EventListState & { status: SocketStatus } {
  const [state, dispatch] = useReducer(applyEventWatch, INITIAL_EVENT_LIST);
  const status = useSocket(withQuery(apiPaths.eventsWatch(cluster, namespace), { pod }), (raw) => {
    const message = raw as EventWatchMessage;
    dispatch(message);
    return message.type === 'error' && message.status < 500 ? 'finish' : undefined;
  });
  return { ...state, status };
}
