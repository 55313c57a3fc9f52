import { Link, Navigate } from 'react-router-dom';
import { ErrorBanner } from '../common/ErrorBanner.js';
import { routes } from '../common/routes.js';
import { useDocumentTitle } from '../common/use-document-title.js';
import { startNamespace, useClusters } from './use-clusters.js';

interface ClusterListPageProps {
  /** On "/", go straight to the current context's namespace when it names one. */
  redirectToCurrent: boolean;
}

export function ClusterListPage({ redirectToCurrent }: ClusterListPageProps) {
  const { data: clusters, error, loading, reload } = useClusters();
  useDocumentTitle('Clusters');
  if (redirectToCurrent && clusters) {
    const current = clusters.find((c) => c.current && c.defaultNamespace);
    if (current) return <Navigate to={routes.pods(current.name, startNamespace(current))} replace />;
  }
  return (
    <>
      <h1 className="page-title">Clusters</h1>
      {error && <ErrorBanner message={error} onRetry={reload} />}
      {loading && <p className="muted">Loading clusters…</p>}
      {clusters && clusters.length === 0 && <p className="muted">No clusters are configured.</p>}
      {clusters && clusters.length > 0 && (
        <ul className="card-list" data-testid="cluster-list">
          {clusters.map((c) => (
            <li key={c.name}>
              <Link
                className="card"
                to={routes.pods(c.name, startNamespace(c))}
                data-testid={`cluster-${c.name}`}
              >
                <strong>{c.name}</strong>
                {c.current && (
                  <span className="badge badge-ok" style={{ marginLeft: 8 }}>
                    current
                  </span>
                )}
                <div className="muted mono wrap-anywhere">{c.server}</div>
                <div className="muted">namespace: {startNamespace(c)}</div>
                {c.version?.gitVersion && (
                  <div className="muted" data-testid={`cluster-version-${c.name}`}>
                    Kubernetes {c.version.gitVersion}
                    {c.version.warning && (
                      <>
                        {' '}
                        —{' '}
                        {c.version.state === 'too-old'
                          ? 'older than supported'
                          : c.version.state === 'too-new'
                            ? 'newer than tested'
                            : 'unknown'}
                      </>
                    )}
                  </div>
                )}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
