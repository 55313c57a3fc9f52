import { Link } from 'react-router-dom';
import { routes } from '../common/routes.js';
import { formatDateTime, humanDuration } from '../common/time.js';
import { useNow } from '../common/use-now.js';
import { CopyPlanList } from './CopyPlanList.js';
import { isLeaseFinal, leaseStatusText } from './lease-state.js';
import type { LeasedPod } from './lease-store.js';
import { terminalHref } from './debug-paths.js';
import { useLeaseStore } from './LeaseProvider.js';

/** A pod copy or node debug pod this tab leases: where it is, how long it lives, a terminal, delete. */
export function DebugPodCard({ pod, testPrefix }: { pod: LeasedPod; testPrefix: 'copy' | 'node' }) {
  const store = useLeaseStore();
  const now = useNow(5000);
  const final = isLeaseFinal(pod.status);
  const expiresAt = pod.status.state === 'held' ? pod.status.expiresAt : pod.expiresAt;
  const tone =
    pod.status.state === 'held'
      ? 'banner-info'
      : final && pod.status.state !== 'deleted'
        ? 'banner-error'
        : 'banner-warn';
  return (
    <div className={`banner ${tone} debug-pod-card`} data-testid={`${testPrefix}-card`} data-pod={pod.pod}>
      <div className="debug-pod-facts">
        <div>
          {pod.kind === 'copy' ? 'Copy' : `Debug pod on node ${pod.node ?? ''}`}{' '}
          <Link
            className="mono"
            to={routes.pod(pod.cluster, pod.namespace, pod.pod)}
            data-testid={`${testPrefix}-pod-name`}
          >
            {pod.pod}
          </Link>{' '}
          <span className="muted">
            (namespace {pod.namespace}, container {pod.container}
            {pod.plan?.node ? `, node ${pod.plan.node}` : ''})
          </span>
        </div>
        {!final && (
          <div className="muted" data-testid={`${testPrefix}-expiry`}>
            Expires at the latest {formatDateTime(expiresAt)} (in {humanDuration(Date.parse(expiresAt) - now)}
            ).
          </div>
        )}
        <div role="status" data-testid={`${testPrefix}-lease-status`} data-state={pod.status.state}>
          {leaseStatusText(pod.status, formatDateTime)}
        </div>
      </div>
      <div className="toolbar">
        {!final && (
          <Link
            className="btn btn-primary"
            to={terminalHref(pod.cluster, pod.namespace, pod.pod, pod.container)}
            data-testid={`${testPrefix}-open-terminal`}
          >
            {pod.kind === 'copy' ? 'Open terminal in copy' : 'Open terminal on node'}
          </Link>
        )}
        {!final ? (
          <button
            type="button"
            className="btn"
            onClick={() => void store.delete(pod.key)}
            disabled={pod.status.state === 'deleting'}
            data-testid={`${testPrefix}-delete`}
          >
            {pod.kind === 'copy' ? 'Delete copy now' : 'Delete debug pod now'}
          </button>
        ) : (
          <button
            type="button"
            className="btn"
            onClick={() => store.dismiss(pod.key)}
            data-testid={`${testPrefix}-dismiss`}
          >
            Dismiss
          </button>
        )}
        <Link className="muted" to={routes.auditSession(pod.auditSession)}>
          Audit record
        </Link>
      </div>
      {pod.plan && (
        <details data-testid={`${testPrefix}-card-plan`}>
          <summary>
            What the copy changes ({pod.plan.changes.length} changes
            {pod.plan.warnings.length > 0 ? `, ${pod.plan.warnings.length} warnings` : ''})
          </summary>
          <CopyPlanList plan={pod.plan} testPrefix={`${testPrefix}-card-plan`} />
        </details>
      )}
    </div>
  );
}
