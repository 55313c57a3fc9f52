// Colour of a container's state in the containers table. Pure.

import type { ContainerView } from '../../shared/api.js';
import type { StatusTone } from './pod-status.js';

const BENIGN_WAITING = new Set(['ContainerCreating', 'PodInitializing']);

export function containerTone(
  c: Pick<ContainerView, 'kind' | 'state' | 'reason' | 'exitCode' | 'ready'>,
): StatusTone {
  switch (c.state) {
    case 'running':
      return c.ready || c.kind !== 'app' ? 'ok' : 'warn';
    case 'waiting':
      return c.reason === null || BENIGN_WAITING.has(c.reason) ? 'warn' : 'error';
    case 'terminated':
      return c.exitCode === 0 ? 'done' : 'error';
    default:
      return 'warn';
  }
}
