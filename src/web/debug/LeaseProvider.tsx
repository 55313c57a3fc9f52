import { createContext, useContext, useState, useSyncExternalStore, type ReactNode } from 'react';
import { formatDateTime } from '../common/time.js';
import { leaseStatusText, isLeaseFinal } from './lease-state.js';
import { leaseStore, type LeasedPod, type LeaseStore } from './lease-store.js';
import './debug.css';

const LeaseStoreContext = createContext<LeaseStore | null>(null);

/**
 * Holds the leases of the pod copies and node debug pods made in this browser tab, above the routes, so
 * they stay alive while the user moves between pages (e.g. to the copy's terminal) and end with the tab.
 */
export function LeaseProvider({ children }: { children: ReactNode }) {
  const [store] = useState(leaseStore);
  return (
    <LeaseStoreContext.Provider value={store}>
      {children}
      <LeaseDock store={store} />
    </LeaseStoreContext.Provider>
  );
}

export function useLeaseStore(): LeaseStore {
  return useContext(LeaseStoreContext) ?? leaseStore();
}

/** Every pod this tab holds (or held) a lease on; re-renders on each status change. */
export function useLeasedPods(): readonly LeasedPod[] {
  const store = useLeaseStore();
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

/** A reminder on every page that this tab keeps debug pods alive, with a way to delete them. */
function LeaseDock({ store }: { store: LeaseStore }) {
  const pods = useSyncExternalStore(store.subscribe, store.getSnapshot).filter(
    (p) => !isLeaseFinal(p.status),
  );
  if (pods.length === 0) return null;
  return (
    <aside className="lease-dock" aria-label="Debug pods kept alive by this tab" data-testid="lease-dock">
      <strong>{pods.length === 1 ? 'Debug pod' : `${pods.length} debug pods`} kept alive by this tab</strong>
      <ul>
        {pods.map((p) => (
          <li key={p.key} title={leaseStatusText(p.status, formatDateTime)}>
            <span className="mono">{p.pod}</span>{' '}
            <span className={p.status.state === 'held' ? 'tone-ok' : 'tone-warn'}>
              {p.status.state === 'held' ? 'leased' : p.status.state}
            </span>{' '}
            <button
              type="button"
              className="btn btn-small"
              onClick={() => void store.delete(p.key)}
              disabled={p.status.state === 'deleting'}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
