import type { ContainerView, PodDetail } from '../../shared/api.js';
import { formatAge, formatDateTime } from '../common/time.js';
import { useNow } from '../common/use-now.js';
import { anchors } from '../diagnosis/diagnosis-links.js';
import { containerTone } from './container-status.js';

const KIND_ORDER = { init: 0, app: 1, ephemeral: 2 } as const;
const KIND_LABEL = { init: 'Init', app: 'App', ephemeral: 'Ephemeral' } as const;

export function ContainersTab({ pod }: { pod: PodDetail }) {
  const now = useNow(5000);
  const containers = [...pod.containers].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
  const unhealthyConditions = pod.conditions.filter((c) => c.status !== 'True' && (c.reason || c.message));
  return (
    <div className="tab-panel">
      {unhealthyConditions.length > 0 && (
        <ul className="banner banner-warn" style={{ display: 'block', margin: 0, paddingLeft: 28 }}>
          {unhealthyConditions.map((c) => (
            <li key={c.type}>
              <strong>{c.type}</strong>: {c.reason}
              {c.message ? ` — ${c.message}` : ''}
            </li>
          ))}
        </ul>
      )}
      <div className="table-wrap">
        <table className="data" data-testid="containers-table">
          <thead>
            <tr>
              <th>Container</th>
              <th>Kind</th>
              <th>State</th>
              <th>Ready</th>
              <th className="num">Restarts</th>
              <th>Last termination</th>
              <th>Image</th>
            </tr>
          </thead>
          <tbody>
            {containers.map((c) => (
              <ContainerRow key={`${c.kind}/${c.name}`} container={c} now={now} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function ContainerRow({ container: c, now }: { container: ContainerView; now: number }) {
  const tone = containerTone(c);
  return (
    <tr
      id={anchors.container(c.name)}
      data-testid={`container-row-${c.name}`}
      className={tone === 'error' ? 'row-error' : undefined}
    >
      <td className="mono wrap-anywhere">
        {c.name}
        {c.targetContainerName && <div className="muted">target: {c.targetContainerName}</div>}
      </td>
      <td>{KIND_LABEL[c.kind]}</td>
      <td>
        <span className={`tone-${tone}`} data-testid={`container-state-${c.name}`}>
          {c.state}
          {c.reason && ` (${c.reason})`}
        </span>
        {c.exitCode !== null && <div>exit code {c.exitCode}</div>}
        {c.state === 'running' && c.startedAt && (
          <div className="muted" title={formatDateTime(c.startedAt)}>
            started {formatAge(c.startedAt, now)} ago
          </div>
        )}
        {c.state === 'terminated' && c.finishedAt && (
          <div className="muted" title={formatDateTime(c.finishedAt)}>
            finished {formatAge(c.finishedAt, now)} ago
          </div>
        )}
        {c.message && <div className="muted wrap-anywhere">{c.message}</div>}
      </td>
      <td>{c.ready ? 'yes' : 'no'}</td>
      <td className={`num${c.restartCount > 0 ? ' tone-warn' : ''}`}>{c.restartCount}</td>
      <td data-testid={`container-last-${c.name}`}>
        {c.lastTermination ? (
          <>
            <span className={c.lastTermination.exitCode !== 0 ? 'tone-error' : undefined}>
              {c.lastTermination.reason ?? 'Terminated'}, exit code {c.lastTermination.exitCode}
            </span>
            {c.lastTermination.finishedAt && (
              <div className="muted" title={formatDateTime(c.lastTermination.finishedAt)}>
                {formatDateTime(c.lastTermination.finishedAt)} ({formatAge(c.lastTermination.finishedAt, now)}{' '}
                ago)
              </div>
            )}
            {c.lastTermination.message && (
              <div className="muted wrap-anywhere">{c.lastTermination.message}</div>
            )}
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="mono wrap-anywhere">{c.image}</td>
    </tr>
  );
}
