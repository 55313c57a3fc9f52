import { useSearchParams } from 'react-router-dom';
import { ConnectionBadge } from '../common/ConnectionBadge.js';
import { ErrorBanner } from '../common/ErrorBanner.js';
import { parseEventOrder } from './event-list-state.js';
import { EventsTable } from './EventsTable.js';
import { useEventWatch } from './use-event-watch.js';

interface EventsViewProps {
  cluster: string;
  namespace: string;
  /** Only this pod's events (what `kubectl describe pod` shows); null for the whole namespace. */
  pod: string | null;
}

export function EventsView({ cluster, namespace, pod }: EventsViewProps) {
  const { events, loaded, error, status } = useEventWatch(cluster, namespace, pod);
  const [params, setParams] = useSearchParams();
  const order = parseEventOrder(params.get('order'));
  const warnings = [...events.values()].filter((e) => e.type === 'Warning').length;
  return (
    <div className="tab-panel">
      <div className="toolbar">
        <div role="group" aria-label="Order" className="toolbar">
          {(['newest', 'oldest'] as const).map((o) => (
            <button
              key={o}
              type="button"
              className="btn"
              aria-pressed={order === o}
              data-testid={`events-order-${o}`}
              onClick={() =>
                setParams(
                  (prev) => {
                    const next = new URLSearchParams(prev);
                    if (o === 'newest') next.delete('order');
                    else next.set('order', o);
                    return next;
                  },
                  { replace: true },
                )
              }
            >
              {o === 'newest' ? 'Newest first' : 'Oldest first'}
            </button>
          ))}
        </div>
        {warnings > 0 && <span className="badge badge-warn">{warnings} warnings</span>}
        <ConnectionBadge status={status} />
      </div>
      {error && <ErrorBanner message={error} />}
      {!loaded && !error ? (
        <p className="muted">Loading events…</p>
      ) : (
        <EventsTable
          cluster={cluster}
          namespace={namespace}
          events={events}
          order={order}
          showObject={pod === null}
        />
      )}
    </div>
  );
}
