import { createBrowserRouter, Link, Navigate, RouterProvider, useParams } from 'react-router-dom';
import { AuditPage } from '../audit/AuditPage.js';
import { AuditSessionPage } from '../audit/AuditSessionPage.js';
import { ClusterListPage } from '../clusters/ClusterListPage.js';
import { LeaseProvider } from '../debug/LeaseProvider.js';
import { AnnouncerProvider } from '../common/Announcer.js';
import { useDocumentTitle } from '../common/use-document-title.js';
import { routes } from '../common/routes.js';
import { NamespaceEventsPage } from '../events/NamespaceEventsPage.js';
import { SelectorLogsPage } from '../logs/SelectorLogsPage.js';
import { WorkloadLogsPage } from '../logs/WorkloadLogsPage.js';
import { PodListPage } from '../pods/PodListPage.js';
import { PodPage } from '../pods/PodPage.js';
import { Layout } from './Layout.js';
import { AuthGate } from '../auth/AuthGate.js';

// Route elements read the URL params and key each page by them, so moving to another pod or namespace
// starts the page afresh (new watches, no stale rows).

function useNamespaceParams(): { cluster: string; namespace: string } {
  const { cluster = '', namespace = '' } = useParams();
  return { cluster, namespace };
}

function PodListRoute() {
  const { cluster, namespace } = useNamespaceParams();
  return <PodListPage key={`${cluster}/${namespace}`} cluster={cluster} namespace={namespace} />;
}

function PodRoute() {
  const { cluster, namespace } = useNamespaceParams();
  const { pod = '' } = useParams();
  return (
    <PodPage key={`${cluster}/${namespace}/${pod}`} cluster={cluster} namespace={namespace} name={pod} />
  );
}

function EventsRoute() {
  const { cluster, namespace } = useNamespaceParams();
  return <NamespaceEventsPage key={`${cluster}/${namespace}`} cluster={cluster} namespace={namespace} />;
}

function WorkloadLogsRoute() {
  const { cluster, namespace } = useNamespaceParams();
  const { kind = '', name = '' } = useParams();
  return (
    <WorkloadLogsPage
      key={`${cluster}/${namespace}/${kind}/${name}`}
      cluster={cluster}
      namespace={namespace}
      kind={kind}
      name={name}
    />
  );
}

function SelectorLogsRoute() {
  const { cluster, namespace } = useNamespaceParams();
  return <SelectorLogsPage key={`${cluster}/${namespace}`} cluster={cluster} namespace={namespace} />;
}

function AuditSessionRoute() {
  const { id = '' } = useParams();
  return <AuditSessionPage key={id} id={id} />;
}

function ClusterRoute() {
  const { cluster = '' } = useParams();
  return <Navigate to={routes.pods(cluster, 'default')} replace />;
}

function NotFound() {
  useDocumentTitle('Not found');
  return (
    <div className="banner banner-info" role="status">
      There is no page at this address. <Link to={routes.clusters()}>Go to the cluster list</Link>.
    </div>
  );
}

const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/', element: <ClusterListPage redirectToCurrent /> },
      { path: '/clusters', element: <ClusterListPage redirectToCurrent={false} /> },
      { path: '/c/:cluster', element: <ClusterRoute /> },
      { path: '/c/:cluster/ns/:namespace', element: <PodListRoute /> },
      { path: '/c/:cluster/ns/:namespace/pods/:pod', element: <PodRoute /> },
      { path: '/c/:cluster/ns/:namespace/events', element: <EventsRoute /> },
      { path: '/c/:cluster/ns/:namespace/workloads/:kind/:name/logs', element: <WorkloadLogsRoute /> },
      { path: '/c/:cluster/ns/:namespace/logs', element: <SelectorLogsRoute /> },
      { path: '/audit', element: <AuditPage /> },
      { path: '/audit/sessions/:id', element: <AuditSessionRoute /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);

export function App() {
  return (
    <AnnouncerProvider>
      <AuthGate>
        <LeaseProvider>
          <RouterProvider router={router} />
        </LeaseProvider>
      </AuthGate>
    </AnnouncerProvider>
  );
}
