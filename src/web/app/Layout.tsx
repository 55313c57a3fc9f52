import { Link, NavLink, Outlet, useLocation, useParams } from 'react-router-dom';
import { ClusterSwitcher } from '../clusters/ClusterSwitcher.js';
import { NamespaceSwitcher } from '../clusters/NamespaceSwitcher.js';
import { VersionWarning } from '../clusters/VersionWarning.js';
import { routes } from '../common/routes.js';
import { ShortcutsDialog } from '../common/ShortcutsDialog.js';
import { ThemeToggle } from '../common/ThemeToggle.js';
import { SignedInUser } from '../auth/SignedInUser.js';

export function Layout() {
  const { cluster, namespace } = useParams();
  const location = useLocation();
  const section = location.pathname.endsWith('/events') ? 'events' : 'pods';
  return (
    <div className="app">
      {/* The first Tab stop: past the header's controls, straight to the page (WCAG 2.4.1). */}
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault(); // Moving the focus is enough; a #main in the URL would be noise.
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
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
        <nav className="toolbar" aria-label="Podscope">
          <NavLink className="btn btn-ghost" to={routes.audit()} data-testid="nav-audit">
            Audit
          </NavLink>
        </nav>
        <SignedInUser cluster={cluster} />
        <ShortcutsDialog />
        <ThemeToggle />
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        {cluster && <VersionWarning cluster={cluster} />}
        <Outlet />
      </main>
    </div>
  );
}
