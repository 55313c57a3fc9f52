import { lazy, Suspense } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { ConnectionBadge } from '../common/ConnectionBadge.js';
import { DebugTab } from '../debug/DebugTab.js';
import { DiagnosisPanel } from '../diagnosis/DiagnosisPanel.js';
import { FilesTab } from '../files/FilesTab.js';
import { ErrorBanner } from '../common/ErrorBanner.js';
import { parsePodTab, routes, type PodTab } from '../common/routes.js';
import { EventsView } from '../events/EventsView.js';
import { PodLogsTab } from '../logs/PodLogsTab.js';
import { ContainersTab } from './ContainersTab.js';
import { PodHeader } from './PodHeader.js';
import { usePodDetail } from './use-pod-detail.js';

interface PodPageProps {
  cluster: string;
  namespace: string;
  name: string;
}

// xterm.js is most of the app's weight; load it only when a terminal is opened.
const TerminalTab = lazy(() =>
  import('../terminal/TerminalTab.js').then((m) => ({ default: m.TerminalTab })),
);

const TAB_LABELS: Record<PodTab, string> = {
  containers: 'Containers',
  logs: 'Logs',
  events: 'Events',
  terminal: 'Terminal',
  debug: 'Debug',
  files: 'Files',
};

export function PodPage({ cluster, namespace, name }: PodPageProps) {
  const { pod, deleted, error, status, reload } = usePodDetail(cluster, namespace, name);
  const [params] = useSearchParams();
  const tab = parsePodTab(params.get('tab'));

  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <Link to={routes.pods(cluster, namespace)}>Pods in {namespace}</Link>
        <span aria-hidden="true">›</span>
        <span className="mono">{name}</span>
        <ConnectionBadge status={status} ended={deleted} />
      </nav>
      {deleted && (
        <div className="banner banner-warn" role="status" data-testid="pod-deleted">
          This pod has been deleted. What is shown is its last known state.
        </div>
      )}
      {error && <ErrorBanner message={error} onRetry={pod ? undefined : reload} />}
      {pod && (
        <PodHeader cluster={cluster} namespace={namespace} pod={pod}>
          {!deleted && <DiagnosisPanel cluster={cluster} namespace={namespace} pod={pod} />}
        </PodHeader>
      )}
      <div className="tabs" role="tablist" aria-label="Pod details">
        {(Object.keys(TAB_LABELS) as PodTab[]).map((t) => (
          <Link
            key={t}
            to={tabHref(params, t)}
            replace
            role="tab"
            className="tab"
            aria-selected={tab === t}
            data-testid={`tab-${t}`}
          >
            {TAB_LABELS[t]}
          </Link>
        ))}
      </div>
      {tab === 'events' ? (
        <EventsView cluster={cluster} namespace={namespace} pod={name} />
      ) : !pod ? (
        !error && <p className="muted">Loading pod…</p>
      ) : tab === 'logs' ? (
        <PodLogsTab cluster={cluster} namespace={namespace} pod={pod} />
      ) : tab === 'terminal' ? (
        <Suspense fallback={<p className="muted">Loading the terminal…</p>}>
          <TerminalTab cluster={cluster} namespace={namespace} pod={pod} />
        </Suspense>
      ) : tab === 'debug' ? (
        <DebugTab cluster={cluster} namespace={namespace} pod={pod} />
      ) : tab === 'files' ? (
        <FilesTab cluster={cluster} namespace={namespace} pod={pod} />
      ) : (
        <ContainersTab pod={pod} />
      )}
    </>
  );
}

/** Switching tabs keeps the other tab's options (e.g. log settings) in the URL. */
function tabHref(params: URLSearchParams, tab: PodTab): { search: string } {
  const next = new URLSearchParams(params);
  if (tab === 'containers') next.delete('tab');
  else next.set('tab', tab);
  const qs = next.toString();
  return { search: qs ? `?${qs}` : '' };
}
