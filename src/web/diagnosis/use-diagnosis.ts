import { useEffect, useState } from 'react';
import { errorMessage, fetchJson } from '../common/api-client.js';

export interface DiagnosisState<T> {
  data: T | null;
  error: string | null;
}

/**
 * GETs a diagnosis, and again whenever `refreshKey` changes (the pod's status moved on). The last answer
 * stays on screen while the next one loads, so the panel does not flicker as a crash loop cycles.
 */
export function useDiagnosis<T>(path: string, refreshKey: string): DiagnosisState<T> {
  const [state, setState] = useState<DiagnosisState<T> & { path: string | null }>({
    data: null,
    error: null,
    path: null,
  });
  useEffect(() => {
    const controller = new AbortController();
    fetchJson<T>(path, controller.signal).then(
      (data) => setState({ data, error: null, path }),
      (err: unknown) => {
        if (!controller.signal.aborted) setState((prev) => ({ ...prev, error: errorMessage(err), path }));
      },
    );
    return () => controller.abort();
  }, [path, refreshKey]);
  // A different pod's answer is never shown for this one.
  return state.path === path ? { data: state.data, error: state.error } : { data: null, error: null };
}
