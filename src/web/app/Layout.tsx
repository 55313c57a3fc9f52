import { Link, NavLink, Outlet, useLocation, useParams } from 'react-router-dom';
import { ClusterSwitcher } from '../clusters/ClusterSwitcher.js';
import { NamespaceSwitcher } from '../clusters/NamespaceSwitcher.js';
import { VersionWarning } from '../clusters/VersionWarning.js';
import { routes } from '../common/routes.js';
import { ThemeToggle } from '../common/ThemeToggle.js';

export function Layout() {
  const { cluster, namespace } = useParams();
  const location = useLocation();
  const section = location.pathname.endsWith('/events') ? 'events' : 'pods';
  return (
    <div className="app">
      <header className="app-header">
        <Link to={routes.clusters()} className="brand">
          Podscope
        </Link>
        {cluster && <ClusterSwitcher cluster={cluster} />}
        {cluster && namespace && (
          <NamespaceSwitcher cluster={cluster} namespace={namespace} section={section} />
        )}
        {cluster && namespace && (
          <nav className="toolbar" aria-label="Namespace">
            <NavLink className="btn btn-ghost" to={routes.pods(cluster, namespace)} end>
              Pods
            </NavLink>
            <NavLink className="btn btn-ghost" to={routes.events(cluster, namespace)}>
              Events
            </NavLink>
          </nav>
        )}
        <span className="header-spacer" />
        <NavLink className="btn btn-ghost" to={routes.audit()} data-testid="nav-audit">
          Audit
        </NavLink>
        <ThemeToggle />
      </header>
      <main className="app-main">
        {cluster && <VersionWarning cluster={cluster} />}
        <Outlet />
      </main>
    </div>
  );
}
