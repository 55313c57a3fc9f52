import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { AuthSessionView } from '../../shared/api.js';
import { errorMessage } from '../common/api-client.js';
import { LoginFrame } from './LoginFrame.js';
import { useDocumentTitle } from '../common/use-document-title.js';
import { signIn } from './auth-api.js';

interface LoginPageProps {
  /** Why the page is shown again (signed out, session ended), announced politely. */
  notice: string | null;
  onSignedIn: (view: AuthSessionView) => void;
}

/** Token login: the person pastes a Kubernetes bearer token once. */
export function LoginPage({ notice, onSignedIn }: LoginPageProps) {
  useDocumentTitle('Sign in');
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);

  useEffect(() => field.current?.focus(), []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (token.trim() === '') {
      setError('Paste a Kubernetes bearer token first.');
      field.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const view = await signIn(token);
      setToken('');
      onSignedIn(view);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
      field.current?.focus();
    }
  };

  return (
    <LoginFrame notice={notice}>
      <p>
        Paste a Kubernetes bearer token. Podscope asks the API server whose it is, then makes every call with
        it: you see and do exactly what your Kubernetes RBAC allows, and the audit names you.
      </p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <label htmlFor="login-token" className="login-label">
          Bearer token
        </label>
        <textarea
          id="login-token"
          ref={field}
          className={error ? 'login-token invalid' : 'login-token'}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          rows={5}
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          aria-invalid={error !== null}
          aria-describedby={error ? 'login-token-help login-error' : 'login-token-help'}
          data-testid="login-token"
        />
        <p id="login-token-help" className="muted">
          A ServiceAccount&apos;s token: <code>kubectl create token NAME -n NAMESPACE</code>. Podscope keeps
          it encrypted on the server until you sign out or the session ends.
        </p>
        {error && (
          <div id="login-error" className="banner banner-error" role="alert" data-testid="login-error">
            {error}
          </div>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="login-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </LoginFrame>
  );
}
