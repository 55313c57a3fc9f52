import { useCallback, useEffect, useState } from 'react';
import { errorMessage, fetchJson } from './api-client.js';

export interface JsonState<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` (null = nothing to fetch) and refetches when it changes or on reload(). */
export function useJson<T>(path: string | null): JsonState<T> {
  const [generation, setGeneration] = useState(0);
  const [state, setState] = useState<{ key: string | null; data: T | null; error: string | null }>({
    key: null,
    data: null,
    error: null,
  });
  const key = path === null ? null : `${generation}:${path}`;
  useEffect(() => {
    if (path === null || key === null) return undefined;
    const controller = new AbortController();
    fetchJson<T>(path, controller.signal).then(
      (data) => setState({ key, data, error: null }),
      (err: unknown) => {
        if (!controller.signal.aborted) setState({ key, data: null, error: errorMessage(err) });
      },
    );
    return () => controller.abort();
  }, [path, key]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const current = state.key === key;
  return {
    data: current ? state.data : null,
    error: current ? state.error : null,
    loading: path !== null && !current,
    reload,
  };
}
