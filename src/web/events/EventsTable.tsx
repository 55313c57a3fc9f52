import { useMemo } from 'react';
import { Link } from 'react-router-dom';
import type { EventView } from '../../shared/api.js';
import { foldEvents, sortEvents } from '../../shared/events/fold.js';
import { routes } from '../common/routes.js';
import { formatAge, formatDateTime } from '../common/time.js';
import { useNow } from '../common/use-now.js';
import type { EventOrder } from './event-list-state.js';

interface EventsTableProps {
  cluster: string;
  namespace: string;
  events: ReadonlyMap<string, EventView>;
  order: EventOrder;
  /** Hide the object column (the pod page: every event is about that pod). */
  showObject: boolean;
}

export function EventsTable({ cluster, namespace, events, order, showObject }: EventsTableProps) {
  const now = useNow(5000);
  const rows = useMemo(() => sortEvents(foldEvents([...events.values()]), order), [events, order]);
  if (rows.length === 0) return <p className="muted">No events.</p>;
  // A long table scrolls in its frame; without a link in it (the pod page hides the object column),
  // the frame itself takes the focus so the keyboard can scroll it (WCAG 2.1.1).
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label="Events">
      <table className="data" data-testid="events-table">
        <thead>
          <tr>
            <th>Type</th>
            <th>Reason</th>
            {showObject && <th>Object</th>}
            <th>Message</th>
            <th className="num">Count</th>
            <th>First seen</th>
            <th>Last seen</th>
            <th>Source</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr
              key={e.uid || `${e.reason}/${e.involvedObject.name}/${e.lastSeen}`}
              className={e.type === 'Warning' ? 'row-warn' : undefined}
              data-testid="event-row"
              data-type={e.type}
            >
              <td className={e.type === 'Warning' ? 'tone-warn' : undefined}>{e.type}</td>
              <td>{e.reason}</td>
              {showObject && (
                <td className="wrap-anywhere">
                  <InvolvedObject cluster={cluster} namespace={namespace} event={e} />
                </td>
              )}
              <td className="wrap-anywhere">
                {e.message}
                {!showObject && e.involvedObject.fieldPath && (
                  <div className="muted mono">{e.involvedObject.fieldPath}</div>
                )}
              </td>
              <td className="num">{e.count}</td>
              <td title={formatDateTime(e.firstSeen)}>
                {e.firstSeen ? `${formatAge(e.firstSeen, now)} ago` : '—'}
              </td>
              <td title={formatDateTime(e.lastSeen)}>
                {e.lastSeen ? `${formatAge(e.lastSeen, now)} ago` : '—'}
              </td>
              <td className="muted">{e.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function InvolvedObject({
  cluster,
  namespace,
  event,
}: {
  cluster: string;
  namespace: string;
  event: EventView;
}) {
  const o = event.involvedObject;
  const label = `${o.kind.toLowerCase()}/${o.name}`;
  const field = o.fieldPath ? <div className="muted mono">{o.fieldPath}</div> : null;
  if (o.kind === 'Pod') {
    return (
      <>
        <Link
          to={routes.pod(cluster, o.namespace ?? namespace, o.name, 'events')}
          data-testid="event-object-link"
        >
          {label}
        </Link>
        {field}
      </>
    );
  }
  return (
    <>
      <span className="mono">{label}</span>
      {field}
    </>
  );
}
