import { EventsView } from './EventsView.js';

export function NamespaceEventsPage({ cluster, namespace }: { cluster: string; namespace: string }) {
  return (
    <>
      <h1 className="page-title">
        Events <span className="muted mono">{namespace}</span>
      </h1>
      <EventsView cluster={cluster} namespace={namespace} pod={null} />
    </>
  );
}
