import { createContext, useContext, useEffect, useRef, type ReactNode } from 'react';
import type { PodAction, PodPermissionsView } from '../../shared/permissions/api.js';
import { apiPaths } from '../common/api-paths.js';
import { useJson } from '../common/use-json.js';
import { buttonState, type ButtonState } from './permission-state.js';

const PermissionsContext = createContext<PodPermissionsView | null>(null);

/**
 * Asks the server once per pod page (and again when `refreshKey` changes, e.g. on a tab switch) what the
 * person may do there, for the action buttons below it.
 */
export function PodPermissionsProvider({
  cluster,
  namespace,
  pod,
  refreshKey,
  children,
}: {
  cluster: string;
  namespace: string;
  pod: string;
  refreshKey: string;
  children: ReactNode;
}) {
  const path = apiPaths.podPermissions(cluster, namespace, pod);
  const { data, reload } = useJson<PodPermissionsView>(path);
  // While asking again, the last answer for this pod stands (no buttons flickering on and off).
  const last = useRef<{ path: string; data: PodPermissionsView } | null>(null);
  if (data !== null) last.current = { path, data };
  const shown = data ?? (last.current?.path === path ? last.current.data : null);
  const asked = useRef(refreshKey);
  useEffect(() => {
    if (asked.current === refreshKey) return;
    asked.current = refreshKey;
    reload();
  }, [refreshKey, reload]);
  return <PermissionsContext.Provider value={shown}>{children}</PermissionsContext.Provider>;
}

/** How the button of `action` looks (enabled while the answer is not there yet). */
export function useActionState(action: PodAction): ButtonState {
  return buttonState(useContext(PermissionsContext)?.actions[action]);
}

/**
 * Why an action is not available, beside its disabled control: visible text, and the control's
 * accessible description through `id` (aria-describedby).
 */
export function DeniedReason({ id, state, testId }: { id: string; state: ButtonState; testId: string }) {
  if (!state.disabled || state.reason === null) return null;
  return (
    <p id={id} className="permission-denied" data-testid={testId}>
      {state.reason}
    </p>
  );
}
