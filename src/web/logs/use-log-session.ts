import { useEffect, useEffectEvent, useState, useSyncExternalStore } from 'react';
import { LogSession } from './log-session.js';

const noSubscribe = (): (() => void) => () => undefined;
const zero = (): number => 0;

/**
 * Opens a log stream for `initialPath` (null = none yet) and keeps it open until the path changes or the
 * component unmounts. Returns the session and re-renders whenever its contents change.
 */
export function useLogSession(
  initialPath: string | null,
  resumePath: (sinceTime: string) => string,
): { session: LogSession | null; version: number } {
  const [session, setSession] = useState<LogSession | null>(null);
  const makeResumePath = useEffectEvent(resumePath);
  useEffect(() => {
    if (initialPath === null) return undefined;
    const created = new LogSession({ initialPath, resumePath: (since) => makeResumePath(since) });
    setSession(created);
    return () => {
      created.stop();
      setSession((current) => (current === created ? null : current));
    };
  }, [initialPath]);
  const version = useSyncExternalStore(session?.subscribe ?? noSubscribe, session?.getSnapshot ?? zero);
  return { session, version };
}
