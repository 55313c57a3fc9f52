// How the app learns that the person's session has ended (token login): any API answer 401 with the
// code `login-required` is announced, and the sign-in gate (AuthGate) shows the sign-in page. A socket
// that cannot open may be the same thing (a browser does not show a refused upgrade's status), so it
// asks the gate to check with the server. A socket the server closes with 4401 was cut because its
// session ended (signed out in another tab or on another replica, timed out): that is announced too.
import { SIGNED_OUT_CLOSE_CODE, type ApiError } from '../../shared/api.js';

const LOGIN_REQUIRED = 'podscope:login-required';
const CHECK_SESSION = 'podscope:check-session';

/** Whether a failed response says "sign in first" (pure: status and body text). */
export function isLoginRequired(status: number, bodyText: string): boolean {
  if (status !== 401) return false;
  try {
    const body = JSON.parse(bodyText) as Partial<ApiError> | null;
    return body?.code === 'login-required';
  } catch {
    return false;
  }
}

/** Whether a WebSocket close code says "your session ended, sign in again" (never reconnect after it). */
export function isSignedOutClose(code: number): boolean {
  return code === SIGNED_OUT_CLOSE_CODE;
}

export function announceLoginRequired(): void {
  window.dispatchEvent(new Event(LOGIN_REQUIRED));
}

export function onLoginRequired(listener: () => void): () => void {
  window.addEventListener(LOGIN_REQUIRED, listener);
  return () => window.removeEventListener(LOGIN_REQUIRED, listener);
}

/** A WebSocket closed before it opened: perhaps the session ended. */
export function requestSessionCheck(): void {
  window.dispatchEvent(new Event(CHECK_SESSION));
}

export function onSessionCheck(listener: () => void): () => void {
  window.addEventListener(CHECK_SESSION, listener);
  return () => window.removeEventListener(CHECK_SESSION, listener);
}

/** After a failed response: announce it when it means "sign in". */
export function noticeLoginRequired(status: number, bodyText: string): void {
  if (isLoginRequired(status, bodyText)) announceLoginRequired();
}
