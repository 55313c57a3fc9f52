import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { AuthSessionView } from '../../shared/api.js';
import { errorMessage } from '../common/api-client.js';
import { ErrorBanner } from '../common/ErrorBanner.js';
import { fetchAuthSession, signOut } from './auth-api.js';
import { LoginPage } from './LoginPage.js';
import { OidcLoginPage } from './OidcLoginPage.js';
import { onLoginRequired, onSessionCheck } from './login-required.js';

interface AuthContextValue {
  view: AuthSessionView;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

/** The signed-in person and sign-out; null outside the gate. */
export function useAuth(): AuthContextValue | null {
  return useContext(AuthContext);
}

type GateState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; view: AuthSessionView; notice: string | null };

/** Socket failures ask for a check; more than one per this many ms would only repeat the answer. */
const CHECK_INTERVAL_MS = 2000;

/**
 * Asks the server how people get in. With token login or single sign-on and nobody signed in, shows the
 * sign-in page (the token form, or the provider's button) in
 * place of the app (at the same address, so signing in returns to the page that was open); otherwise
 * the app. A `login-required` answer anywhere in the app brings the sign-in page back.
 */
export function AuthGate({ children }: { children: ReactNode }) {
  const [state, setState] = useState<GateState>({ kind: 'loading' });
  const lastCheck = useRef(0);

  const check = useCallback(async (signal?: AbortSignal) => {
    lastCheck.current = Date.now();
    try {
      const view = await fetchAuthSession(signal);
      setState((s) => ({
        kind: 'ready',
        view,
        notice:
          view.user === null && s.kind === 'ready' && s.view.user !== null
            ? 'Your session has ended. Sign in again to go on.'
            : null,
      }));
    } catch (err) {
      // Only the first answer decides what to show. Once the app is up, a check that cannot reach the
      // server (it went away, or is restarting) leaves the app on screen: its own connection status
      // says "connection lost — retrying", and its sockets come back with the server.
      if (!signal?.aborted) {
        setState((s) => (s.kind === 'ready' ? s : { kind: 'error', message: errorMessage(err) }));
      }
    }
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    void check(controller.signal);
    return () => controller.abort();
  }, [check]);

  useEffect(
    () =>
      onLoginRequired(() =>
        setState((s) =>
          s.kind === 'ready' && s.view.mode !== 'access-token' && s.view.user !== null
            ? {
                kind: 'ready',
                view: { ...s.view, user: null },
                notice:
                  s.view.mode === 'oidc'
                    ? 'Your session has ended (signed out, timed out, or your sign-in could not be renewed). Sign in again to go on.'
                    : 'Your session has ended (signed out, timed out, or your token stopped working). Sign in again to go on.',
              }
            : s,
        ),
      ),
    [],
  );

  useEffect(
    () =>
      onSessionCheck(() => {
        if (Date.now() - lastCheck.current >= CHECK_INTERVAL_MS) void check();
      }),
    [check],
  );

  const doSignOut = useCallback(async () => {
    const view = await signOut();
    // Single sign-on: end the sign-in at the provider too (its logout page), where it has one.
    if (view.logoutUrl !== undefined && /^https?:\/\//.test(view.logoutUrl)) {
      window.location.assign(view.logoutUrl);
      return;
    }
    setState({ kind: 'ready', view, notice: 'You signed out.' });
  }, []);

  if (state.kind === 'loading') return <p className="muted login-loading">Loading Podscope…</p>;
  if (state.kind === 'error') {
    return (
      <main className="login-page">
        <ErrorBanner message={state.message} onRetry={() => void check()} />
      </main>
    );
  }
  if (state.view.mode === 'oidc' && state.view.user === null) {
    return <OidcLoginPage provider={state.view.provider ?? 'your provider'} notice={state.notice} />;
  }
  if (state.view.mode === 'token-login' && state.view.user === null) {
    return (
      <LoginPage
        notice={state.notice}
        onSignedIn={(view) => {
          // A new session: the first socket that fails asks the server at once.
          lastCheck.current = 0;
          setState({ kind: 'ready', view, notice: null });
        }}
      />
    );
  }
  return (
    <AuthContext.Provider value={{ view: state.view, signOut: doSignOut }}>{children}</AuthContext.Provider>
  );
}
