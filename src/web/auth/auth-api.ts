// The sign-in endpoints (src/server/auth/routes.ts).
import type { AuthSessionView } from '../../shared/api.js';
import { ApiRequestError, fetchJson } from '../common/api-client.js';
import { apiErrorText } from '../debug/api-error-text.js';

export const fetchAuthSession = (signal?: AbortSignal) =>
  fetchJson<AuthSessionView>('/api/auth/session', signal);

async function post(path: string, body: unknown): Promise<AuthSessionView> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiRequestError(apiErrorText(0, '', ''), 0);
  }
  const text = await response.text();
  if (!response.ok)
    throw new ApiRequestError(apiErrorText(response.status, response.statusText, text), response.status);
  return JSON.parse(text) as AuthSessionView;
}

export const signIn = (token: string) => post('/api/auth/login', { token });
export const signOut = () => post('/api/auth/logout', {});
