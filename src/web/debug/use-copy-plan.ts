// The plan of a pod copy for the form as it stands: what the copy would change, asked again (after a
// short pause) whenever a choice changes, so the user sees the diff before creating.
import { useEffect, useState } from 'react';
import type { PodCopyCreate, PodCopyPlanView } from '../../shared/debug/debug-api.js';
import { ApiRequestError, errorMessage } from '../common/api-client.js';
import { requestJson } from './request-json.js';

export type CopyPlanState =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'ready'; plan: PodCopyPlanView }
  /** `refused`: the server would refuse this copy (policy, a volume, a controller), so do not offer it. */
  | { state: 'error'; message: string; refused: boolean };

const PAUSE_MS = 250;

export function useCopyPlan(path: string, body: PodCopyCreate | null): CopyPlanState {
  const key = body === null ? null : JSON.stringify(body);
  const [result, setResult] = useState<CopyPlanState>({ state: 'idle' });
  useEffect(() => {
    if (key === null) {
      setResult({ state: 'idle' });
      return;
    }
    const ctl = new AbortController();
    setResult({ state: 'loading' });
    const timer = setTimeout(() => {
      requestJson<PodCopyPlanView>('POST', path, JSON.parse(key) as unknown, ctl.signal).then(
        (plan) => setResult({ state: 'ready', plan }),
        (err: unknown) => {
          if (ctl.signal.aborted) return;
          const status = err instanceof ApiRequestError ? err.status : 0;
          setResult({
            state: 'error',
            message: errorMessage(err),
            refused: status === 403 || status === 422,
          });
        },
      );
    }, PAUSE_MS);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [path, key]);
  return result;
}
