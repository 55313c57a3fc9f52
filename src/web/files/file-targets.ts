// Which containers the Files tab can reach, and through which debug containers. Pure.

import type { ContainerView } from '../../shared/api.js';

type Facts = Pick<ContainerView, 'name' | 'kind' | 'state' | 'reason' | 'targetContainerName'>;

export interface FileContainerChoice {
  name: string;
  running: boolean;
  label: string;
}

const ORDER = { app: 0, ephemeral: 1, init: 2 } as const;

/** Every container (app first, then debug, then init); only a running one can be reached. */
export function fileContainers(containers: readonly Facts[]): FileContainerChoice[] {
  return [...containers]
    .sort((a, b) => ORDER[a.kind] - ORDER[b.kind])
    .map((c) => {
      const notes: string[] = [];
      if (c.kind !== 'app') notes.push(c.kind === 'init' ? 'init' : 'debug');
      if (c.state !== 'running') notes.push(c.reason ? `${c.state}: ${c.reason}` : c.state);
      return {
        name: c.name,
        running: c.state === 'running',
        label: notes.length ? `${c.name} (${notes.join(', ')})` : c.name,
      };
    });
}

/** Running debug containers that target `container`: they see its files under /proc/<pid>/root. */
export function viaChoices(containers: readonly Facts[], container: string): string[] {
  return containers
    .filter((c) => c.kind === 'ephemeral' && c.state === 'running' && c.targetContainerName === container)
    .map((c) => c.name);
}

/** The requested container if the pod has it, else the first running app container. */
export function defaultFileContainer(
  choices: readonly FileContainerChoice[],
  requested: string | null,
): string | null {
  if (requested !== null && choices.some((c) => c.name === requested)) return requested;
  return choices.find((c) => c.running)?.name ?? choices[0]?.name ?? null;
}
