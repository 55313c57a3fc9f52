import { useDocumentTitle } from '../common/use-document-title.js';
import { EventsView } from './EventsView.js';

export function NamespaceEventsPage({ cluster, namespace }: { cluster: string; namespace: string }) {
  useDocumentTitle(`Events in ${namespace}`);
  return (
    <>
      <h1 className="page-title">
        Events <span className="muted mono">{namespace}</span>
      </h1>
      <EventsView cluster={cluster} namespace={namespace} pod={null} />
    </>
  );
}
