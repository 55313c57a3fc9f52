import type { PodCopyPlanView } from '../../shared/debug/debug-api.js';

const KIND_LABEL: Record<PodCopyPlanView['changes'][number]['kind'], string> = {
  command: 'Command',
  image: 'Image',
  security: 'Security',
  containers: 'Containers',
  'init-containers': 'Init containers',
  labels: 'Labels',
  readiness: 'Traffic',
  probes: 'Probes',
  lifecycle: 'Lifecycle',
  ports: 'Ports',
  node: 'Node',
  volumes: 'Volumes',
};

/** What a copy changes from the original (a short diff), and what the user should know about it. */
export function CopyPlanList({ plan, testPrefix }: { plan: PodCopyPlanView; testPrefix: string }) {
  return (
    <div className="copy-plan-body">
      <ul className="copy-plan-changes" data-testid={`${testPrefix}-changes`}>
        {plan.changes.map((c, i) => (
          <li key={i} data-kind={c.kind} data-testid={`${testPrefix}-change`}>
            <span className="copy-plan-kind">{KIND_LABEL[c.kind]}</span> {c.text}
          </li>
        ))}
      </ul>
      {plan.warnings.length > 0 && (
        <ul className="copy-plan-warnings" aria-label="Warnings">
          {plan.warnings.map((w, i) => (
            <li key={i} data-testid={`${testPrefix}-warning`}>
              {w}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
