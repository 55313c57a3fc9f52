// Which container's logs to show when the URL does not say. Pure.

import type { ContainerView } from '../../shared/api.js';

/**
 * The first app container, like kubectl (it honours the kubectl.kubernetes.io/default-container
 * annotation server-side; the UI has only the list). A pod stuck in init shows its failing init container.
 */
export function defaultLogContainer(
  containers: readonly Pick<ContainerView, 'name' | 'kind' | 'state' | 'exitCode' | 'restartCount'>[],
): string | null {
  const app = containers.filter((c) => c.kind === 'app');
  const appStarted = app.some((c) => c.state === 'running' || c.state === 'terminated' || c.restartCount > 0);
  if (!appStarted) {
    const failingInit = containers.find(
      (c) => c.kind === 'init' && (c.restartCount > 0 || (c.state === 'terminated' && c.exitCode !== 0)),
    );
    if (failingInit) return failingInit.name;
  }
  return app[0]?.name ?? containers[0]?.name ?? null;
}
