// POST/DELETE with a JSON body; failures become ApiRequestError carrying the server's sentence.

import { ApiRequestError } from '../common/api-client.js';
import { apiErrorText } from './api-error-text.js';
import { noticeLoginRequired } from '../auth/login-required.js';

export async function requestJson<T>(
  method: 'POST' | 'DELETE' | 'PUT',
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      signal,
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiRequestError(apiErrorText(0, '', ''), 0);
  }
  const text = await response.text();
  if (!response.ok) {
    noticeLoginRequired(response.status, text);
    throw new ApiRequestError(apiErrorText(response.status, response.statusText, text), response.status);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}
