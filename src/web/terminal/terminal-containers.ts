// Which containers a terminal can enter, and which one to offer first. Pure.

import type { ContainerView } from '../../shared/api.js';

export interface TerminalContainerChoice {
  name: string;
  kind: ContainerView['kind'];
  /** Only a running container can be entered (app, init while it runs, ephemeral debug containers). */
  running: boolean;
  /** Shown in the picker, e.g. "app", "migrate (init, terminated: Completed)". */
  label: string;
}

const KIND_ORDER = { app: 0, ephemeral: 1, init: 2 } as const;

export function terminalContainers(
  containers: readonly Pick<ContainerView, 'name' | 'kind' | 'state' | 'reason'>[],
): TerminalContainerChoice[] {
  return [...containers]
    .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind])
    .map((c) => {
      const running = c.state === 'running';
      const notes: string[] = [];
      if (c.kind !== 'app') notes.push(c.kind === 'init' ? 'init' : 'debug');
      if (!running) notes.push(c.reason ? `${c.state}: ${c.reason}` : c.state);
      return {
        name: c.name,
        kind: c.kind,
        running,
        label: notes.length ? `${c.name} (${notes.join(', ')})` : c.name,
      };
    });
}

/** The requested container if the pod has it, else the first running one (app containers first). */
export function defaultTerminalContainer(
  choices: readonly TerminalContainerChoice[],
  requested: string | null,
): string | null {
  if (requested !== null && choices.some((c) => c.name === requested)) return requested;
  return choices.find((c) => c.running)?.name ?? choices[0]?.name ?? null;
}
