import { useState } from 'react';
import { errorMessage } from '../common/api-client.js';
import { useAuth } from './AuthGate.js';

/** "Signed in as …" and Sign out, in the header (token login and single sign-on). */
export function SignedInUser() {
  const auth = useAuth();
  const [error, setError] = useState<string | null>(null);
  const user = auth?.view.user;
  if (!auth || auth.view.mode === 'access-token' || !user) return null;
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
