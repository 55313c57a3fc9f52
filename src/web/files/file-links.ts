// Links to the Files tab of a pod. Pure.

import { withQuery } from '../common/api-paths.js';
import { routes } from '../common/routes.js';

export function filesHref(
  cluster: string,
  namespace: string,
  pod: string,
  at: { container?: string; via?: string | null; path?: string },
): string {
  const [path, search = ''] = routes.pod(cluster, namespace, pod, 'files').split('?');
  return withQuery(path!, {
    ...Object.fromEntries(new URLSearchParams(search)),
    container: at.container,
    via: at.via ?? undefined,
    path: at.path,
  });
}
