// Where each next step and each piece of evidence of a diagnosis leads in the app: a tab of the pod page
// with the right options (the previous logs searched for the quoted line, the events, the container's row,
// the debug copy form) or another pod. Pure, so every link is tested.

import type { Evidence, NextStep } from '../../shared/diagnosis/types.js';
import { writeLogOptions } from '../logs/log-options.js';
import { routes } from '../common/routes.js';

export interface PodRef {
  cluster: string;
  namespace: string;
  pod: string;
}

/** Element ids the links scroll to (kept here so the pages and the links agree). */
export const anchors = {
  container: (name: string): string => `container-${name}`,
  debugCopy: 'debug-copy-title',
  debugContainer: 'debug-container-title',
};

function podUrl(ref: PodRef, params: URLSearchParams, hash = ''): string {
  const qs = params.toString();
  return `${routes.pod(ref.cluster, ref.namespace, ref.pod)}${qs ? `?${qs}` : ''}${hash ? `#${hash}` : ''}`;
}

/** The logs tab on one container instance, searching for `search` (if any). */
export function logsUrl(ref: PodRef, container: string, previous: boolean, search: string | null): string {
  const params = writeLogOptions(new URLSearchParams({ tab: 'logs' }), {
    container,
    previous,
    q: search ?? '',
  });
  return podUrl(ref, params);
}

export function stepUrl(step: NextStep, ref: PodRef): string {
  switch (step.action) {
    case 'logs':
      return logsUrl(ref, step.container, step.previous, step.search);
    case 'events':
      return podUrl(ref, new URLSearchParams({ tab: 'events' }));
    case 'containers':
      return podUrl(ref, new URLSearchParams(), step.container ? anchors.container(step.container) : '');
    case 'debug-copy':
      return podUrl(ref, new URLSearchParams({ tab: 'debug' }), anchors.debugCopy);
    case 'debug-container':
      return podUrl(ref, new URLSearchParams({ tab: 'debug' }), anchors.debugContainer);
    case 'terminal':
      return podUrl(ref, new URLSearchParams({ tab: 'terminal', container: step.container }));
    case 'pod':
      return routes.pod(ref.cluster, ref.namespace, step.pod);
  }
}

/** Where a piece of evidence is shown; null for facts of other objects (a Deployment's condition…). */
export function evidenceUrl(e: Evidence, ref: PodRef): string | null {
  switch (e.kind) {
    case 'log':
      return logsUrl(ref, e.container, e.previous, e.text.trim().slice(0, 80));
    case 'event':
      return e.object === `Pod/${ref.pod}` ? podUrl(ref, new URLSearchParams({ tab: 'events' })) : null;
    case 'field':
      if (e.object?.startsWith('Pod/') && e.object !== `Pod/${ref.pod}`) {
        return routes.pod(ref.cluster, ref.namespace, e.object.slice(4));
      }
      if (e.object !== null) return null;
      return podUrl(ref, new URLSearchParams(), e.container ? anchors.container(e.container) : '');
  }
}
