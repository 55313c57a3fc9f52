import { useCallback, useEffect, useRef, useState } from 'react';
import { useAnnounce } from '../common/Announcer.js';
import { downloadWithProgress, type Progress } from './transfers.js';

export interface Download {
  id: number;
  name: string;
  path: string;
  directory: boolean;
  progress: Progress;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  error: string | null;
}

export interface Downloads {
  list: Download[];
  start: (url: string, name: string, path: string, directory: boolean) => void;
  cancel: (id: number) => void;
  clear: () => void;
}

/** Downloads in flight and finished; leaving the page cancels the running ones. */
export function useDownloads(): Downloads {
  const [list, setList] = useState<Download[]>([]);
  const controllers = useRef(new Map<number, AbortController>());
  const nextId = useRef(1);
  const announce = useAnnounce();

  useEffect(() => {
    const running = controllers.current;
    return () => {
      for (const c of running.values()) c.abort();
      running.clear();
    };
  }, []);

  const update = useCallback((id: number, change: Partial<Download>) => {
    setList((all) => all.map((d) => (d.id === id ? { ...d, ...change } : d)));
  }, []);

  const start = useCallback(
    (url: string, name: string, path: string, directory: boolean) => {
      const id = nextId.current++;
      const controller = new AbortController();
      controllers.current.set(id, controller);
      setList((all) =>
        [
          ...all,
          {
            id,
            name,
            path,
            directory,
            progress: { done: 0, total: null },
            state: 'running' as const,
            error: null,
          },
        ].slice(-20),
      );
      downloadWithProgress(
        url,
        directory ? `${name}.tar.gz` : name,
        (progress) => update(id, { progress }),
        controller.signal,
      )
        .then(
          ({ fileName }) => {
            update(id, { state: 'done', name: fileName });
            announce(`Downloaded ${path} as ${fileName}.`);
          },
          (err: unknown) =>
            controller.signal.aborted
              ? update(id, { state: 'cancelled' })
              : update(id, { state: 'failed', error: err instanceof Error ? err.message : String(err) }),
        )
        .finally(() => controllers.current.delete(id));
    },
    [update, announce],
  );

  const cancel = useCallback((id: number) => controllers.current.get(id)?.abort(), []);
  const clear = useCallback(() => setList((all) => all.filter((d) => d.state === 'running')), []);
  return { list, start, cancel, clear };
}
