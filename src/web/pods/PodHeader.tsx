import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import type { PodDetail } from '../../shared/api.js';
import { owningWorkload, routes } from '../common/routes.js';
import { formatAge, formatDateTime } from '../common/time.js';
import { useNow } from '../common/use-now.js';
import { PodStatus } from './PodStatus.js';

interface PodHeaderProps {
  cluster: string;
  namespace: string;
  pod: PodDetail;
  /** Shown right under the title, before the facts (the diagnosis: the first thing to read). */
  children?: ReactNode;
}

export function PodHeader({ cluster, namespace, pod, children }: PodHeaderProps) {
  const now = useNow(1000);
  const workload = owningWorkload(pod.owner, pod.labels);
  return (
    <>
      <h1 className="page-title">
        <span className="mono wrap-anywhere">{pod.name}</span>
        <PodStatus pod={pod} />
      </h1>
      {children}
      <dl className="facts" data-testid="pod-facts">
        <div>
          <dt>Ready</dt>
          <dd>
            {pod.ready}/{pod.total}
          </dd>
        </div>
        <div>
          <dt>Restarts</dt>
          <dd>
            {pod.restarts}
            {pod.lastRestartAt && ` (${formatAge(pod.lastRestartAt, now)} ago)`}
          </dd>
        </div>
        <div>
          <dt>Age</dt>
          <dd title={formatDateTime(pod.createdAt)}>{formatAge(pod.createdAt, now)}</dd>
        </div>
        <div>
          <dt>Phase</dt>
          <dd>{pod.phase}</dd>
        </div>
        <div>
          <dt>Node</dt>
          <dd>{pod.node ?? '—'}</dd>
        </div>
        <div>
          <dt>IP</dt>
          <dd className="mono">{pod.podIP ?? '—'}</dd>
        </div>
        {pod.qosClass && (
          <div>
            <dt>QoS</dt>
            <dd>{pod.qosClass}</dd>
          </div>
        )}
        {pod.serviceAccount && (
          <div>
            <dt>Service account</dt>
            <dd>{pod.serviceAccount}</dd>
          </div>
        )}
        {pod.owner && (
          <div>
            <dt>Controlled by</dt>
            <dd>
              {pod.owner.kind}/{pod.owner.name}
              {workload && (
                <>
                  {' · '}
                  <Link to={routes.workloadLogs(cluster, namespace, workload.kind, workload.name)}>
                    logs of all its pods
                  </Link>
                </>
              )}
            </dd>
          </div>
        )}
      </dl>
    </>
  );
}
