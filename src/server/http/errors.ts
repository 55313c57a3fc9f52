// One error type for everything a request can fail with; turned into a response in one place.
import type { ApiErrorCode } from '../../shared/api.js';

export class PodscopeError extends Error {
  /** For the web app to act on (e.g. `login-required`); the message is for people. */
  readonly code: ApiErrorCode | undefined;

  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown; code?: ApiErrorCode },
  ) {
    super(message, options);
    this.name = 'PodscopeError';
    this.code = options?.code;
  }
}

export const badRequest = (message: string) => new PodscopeError(400, message);
export const notFound = (message: string) => new PodscopeError(404, message);

/** A failed Kubernetes API call, with the Status the API server returned. */
export class KubeApiError extends PodscopeError {
  constructor(
    status: number,
    readonly kubeMessage: string,
    readonly reason: string | null,
  ) {
    super(status, describeKubeFailure(status, kubeMessage, reason));
    this.name = 'KubeApiError';
  }
}

function describeKubeFailure(status: number, message: string, reason: string | null): string {
  if (status === 401) return `Kubernetes did not accept your credentials: ${message}`;
  if (status === 403) return `Kubernetes RBAC does not allow this: ${message}`;
  if (status === 404) return `Not found in Kubernetes: ${message}`;
  if (status === 400 && message) return `Kubernetes rejected the request: ${message}`;
  if (status >= 500)
    return `The Kubernetes API server failed (${status}${reason ? ` ${reason}` : ''}): ${message}`;
  return `Kubernetes answered ${status}: ${message}`;
}

/** The API server could not be reached at all (refused, reset, TLS failure, timeout). */
export function unreachable(server: string, cause: unknown): PodscopeError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new PodscopeError(502, `Cannot reach the Kubernetes API server at ${server}: ${detail}`, { cause });
}

/** Maps anything thrown to a status and a sentence a user can read (never a stack). */
export function toErrorBody(err: unknown): { status: number; error: string; code?: ApiErrorCode } {
  if (err instanceof PodscopeError) {
    return { status: err.status, error: err.message, ...(err.code === undefined ? {} : { code: err.code }) };
  }
  const e = err as { statusCode?: number; validation?: unknown; message?: string };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, error: e.message ?? 'Bad request' };
  }
  return { status: 500, error: 'Podscope hit an internal error; the server log has the details.' };
}
