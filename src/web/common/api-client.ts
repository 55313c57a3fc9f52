import type { ApiError } from '../../shared/api.js';
import { noticeLoginRequired } from '../auth/login-required.js';

/** A failed API call, carrying the server's sentence for the user (never a stack). */
export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

function isApiError(body: unknown): body is ApiError {
  return typeof body === 'object' && body !== null && typeof (body as ApiError).error === 'string';
}

export async function fetchJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { signal, headers: { accept: 'application/json' } });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiRequestError('Cannot reach the Podscope server. Check your connection and try again.', 0);
  }
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // A proxy's HTML error page, for instance; reported below by status.
  }
  if (!response.ok) {
    noticeLoginRequired(response.status, text);
    if (isApiError(body)) throw new ApiRequestError(body.error, body.status || response.status);
    throw new ApiRequestError(
      `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`,
      response.status,
    );
  }
  return body as T;
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiRequestError) return err.message;
  return 'Something went wrong while talking to the server.';
}
