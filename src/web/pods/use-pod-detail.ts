import { useState } from 'react';
import type { PodDetail, PodDetailWatchMessage as PodWatchMessage } from '../../shared/api.js';
import { apiPaths } from '../common/api-paths.js';
import { useJson } from '../common/use-json.js';
import { useSocket } from '../common/use-socket.js';
import type { SocketStatus } from '../common/reconnecting-socket.js';

export interface PodDetailState {
  pod: PodDetail | null;
  deleted: boolean;
  error: string | null;
  status: SocketStatus;
  reload: () => void;
}

/** The pod, fetched once and then kept current by its watch. */
export function usePodDetail(cluster: string, namespace: string, name: string): PodDetailState {
  const initial = useJson<PodDetail>(apiPaths.pod(cluster, namespace, name));
  const [live, setLive] = useState<{ pod: PodDetail | null; deleted: boolean; error: string | null }>({
    pod: null,
    deleted: false,
    error: null,
  });
  const status = useSocket(apiPaths.podWatch(cluster, namespace, name), (raw) => {
    const message = raw as PodWatchMessage;
    switch (message.type) {
      case 'pod':
        setLive({ pod: message.pod, deleted: false, error: null });
        return undefined;
      case 'deleted':
        setLive((prev) => ({ ...prev, deleted: true }));
        return 'finish';
      case 'error':
        setLive((prev) => ({ ...prev, error: message.message }));
        return message.status < 500 ? 'finish' : undefined;
      default:
        return undefined;
    }
  });
  return {
    pod: live.pod ?? initial.data,
    deleted: live.deleted,
    error: live.error ?? initial.error,
    status,
    reload: initial.reload,
  };
}
