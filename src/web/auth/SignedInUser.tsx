import { useState } from 'react';
import type { WhoAmIView } from '../../shared/permissions/api.js';
import { errorMessage } from '../common/api-client.js';
import { apiPaths } from '../common/api-paths.js';
import { useJson } from '../common/use-json.js';
import { useAuth } from './AuthGate.js';

/**
 * Who is acting, in the header. Token login and single sign-on: "Signed in as …" and Sign out. Otherwise (local mode, the
 * shared access token): the user the kubeconfig acts as on the open cluster, as Kubernetes names them
 * (SelfSubjectReview) — so nobody wonders whose rights they are using.
 */
export function SignedInUser({ cluster }: { cluster?: string }) {
  const auth = useAuth();
  const [error, setError] = useState<string | null>(null);
  const user = auth?.view.user;
  const signedIn = (auth?.view.mode === 'token-login' || auth?.view.mode === 'oidc') && user;
  const whoAmI = useJson<WhoAmIView>(!signedIn && cluster ? apiPaths.whoAmI(cluster) : null);
  if (!auth) return null;
  if (!signedIn) {
    const me = whoAmI.data;
    if (!me) return null;
    const groups = me.groups.join(', ');
    return (
      <div className="signed-in" data-testid="whoami">
        <span className="muted">Kubernetes user</span>{' '}
        <strong
          className="signed-in-name mono"
          title={groups ? `Groups: ${groups}` : undefined}
          data-testid="whoami-user"
        >
          {me.username}
        </strong>
      </div>
    );
  }
  const groups = user.groups.join(', ');
  // Single sign-on names people by their email (when the provider asserts one) and their groups.
  const shown = auth.view.mode === 'oidc' && user.email !== null ? user.email : user.username;
  return (
    <div className="signed-in" data-testid="signed-in">
      <span className="muted">Signed in as</span>{' '}
      <strong
        className="signed-in-name mono"
        title={groups ? `Groups: ${groups}` : undefined}
        data-testid="signed-in-user"
      >
        {shown}
      </strong>
      {auth.view.mode === 'oidc' && groups && (
        <span className="muted signed-in-groups" data-testid="signed-in-groups">
          {' '}
          ({groups})
        </span>
      )}
      <button
        type="button"
        className="btn btn-ghost"
        data-testid="sign-out"
        onClick={() => {
          setError(null);
          auth.signOut().catch((err: unknown) => setError(errorMessage(err)));
        }}
      >
        Sign out
      </button>
      {error && (
        <span className="tone-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
