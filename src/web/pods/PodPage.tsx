import { lazy, Suspense, useRef, type KeyboardEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import type { PodDetail } from '../../shared/api.js';
import { ConnectionBadge } from '../common/ConnectionBadge.js';
import { DebugTab } from '../debug/DebugTab.js';
import { DiagnosisPanel } from '../diagnosis/DiagnosisPanel.js';
import { FilesTab } from '../files/FilesTab.js';
import { ErrorBanner } from '../common/ErrorBanner.js';
import { parsePodTab, POD_TABS, routes, type PodTab } from '../common/routes.js';
import { useDocumentTitle } from '../common/use-document-title.js';
import { EventsView } from '../events/EventsView.js';
import { PodLogsTab } from '../logs/PodLogsTab.js';
import { ContainersTab } from './ContainersTab.js';
import { PodHeader } from './PodHeader.js';
import { usePodDetail } from './use-pod-detail.js';
import { PodPermissionsProvider } from '../permissions/PodPermissions.js';

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
  useDocumentTitle(`${name} · ${TAB_LABELS[tab]}`);
  const tabList = useRef<HTMLDivElement>(null);

  // The ARIA tabs pattern: one Tab stop for the row (the open tab), arrows move between tabs, Enter
  // opens one. Opening is left to Enter because leaving a tab can end something (a terminal session).
  const onTabKey = (event: KeyboardEvent<HTMLDivElement>): void => {
    const links = [...(tabList.current?.querySelectorAll<HTMLAnchorElement>('[role="tab"]') ?? [])];
    const at = links.findIndex((l) => l === document.activeElement);
    if (at < 0) return;
    const next =
      event.key === 'ArrowRight'
        ? (at + 1) % links.length
        : event.key === 'ArrowLeft'
          ? (at - 1 + links.length) % links.length
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? links.length - 1
              : null;
    if (next === null) return;
    event.preventDefault();
    links[next]?.focus();
  };

  return (
    // What the person may do here, for the action buttons of every tab (asked again on a tab switch).
    <PodPermissionsProvider cluster={cluster} namespace={namespace} pod={name} refreshKey={tab}>
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
      <div className="tabs" role="tablist" aria-label="Pod details" ref={tabList} onKeyDown={onTabKey}>
        {POD_TABS.map((t) => (
          <Link
            key={t}
            id={`pod-tab-${t}`}
            to={tabHref(params, t)}
            replace
            role="tab"
            className="tab"
            aria-selected={tab === t}
            aria-controls="pod-tab-panel"
            tabIndex={tab === t ? 0 : -1}
            data-testid={`tab-${t}`}
          >
            {TAB_LABELS[t]}
          </Link>
        ))}
      </div>
      <div className="pod-tab-panel" role="tabpanel" id="pod-tab-panel" aria-labelledby={`pod-tab-${tab}`}>
        <PodTabContent
          cluster={cluster}
          namespace={namespace}
          name={name}
          tab={tab}
          pod={pod}
          error={error}
        />
      </div>
    </PodPermissionsProvider>
  );
}

function PodTabContent({
  cluster,
  namespace,
  name,
  tab,
  pod,
  error,
}: {
  cluster: string;
  namespace: string;
  name: string;
  tab: PodTab;
  pod: PodDetail | null;
  error: string | null;
}) {
  return (
    <>
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
