import { useEffect, useEffectEvent, useState } from 'react';
import { ReconnectingSocket, type SocketStatus } from './reconnecting-socket.js';

/**
 * Keeps a reconnecting WebSocket open to `path` while the component is mounted (null = no socket).
 * The server sends a fresh snapshot on every (re)connect, so callers just replace their state.
 */
export function useSocket(
  path: string | null,
  onMessage: (message: unknown) => 'finish' | void,
): SocketStatus {
  const [status, setStatus] = useState<SocketStatus>({ state: 'connecting' });
  const handle = useEffectEvent(onMessage);
  useEffect(() => {
    if (path === null) return undefined;
    const socket = new ReconnectingSocket({
      path: () => path,
      onMessage: (message) => handle(message),
      onStatus: setStatus,
    });
    return () => socket.stop();
  }, [path]);
  return status;
}
