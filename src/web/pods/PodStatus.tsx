import { statusTone } from './pod-status.js';

interface PodStatusProps {
  pod: { name: string; status: string; problem: boolean; ready: number; total: number };
}

const ICON = { error: '●', warn: '◐', ok: '●', done: '○' } as const;

export function PodStatus({ pod }: PodStatusProps) {
  const tone = statusTone(pod);
  return (
    <span className={`tone-${tone}`} data-testid={`pod-status-${pod.name}`} data-tone={tone}>
      <span aria-hidden="true">{ICON[tone]}</span> {pod.status}
    </span>
  );
}
