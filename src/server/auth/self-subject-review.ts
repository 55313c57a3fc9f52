// Who a Kubernetes bearer token belongs to, asked of the API server with that token itself (not with
// Podscope's identity): POST authentication.k8s.io/v1 SelfSubjectReview. Any authenticated user may
// make one; a token the API server does not accept is a 401.
import { badRequest } from '../http/errors.js';
import { BearerTokenCredential } from '../kube/identity.js';
import type { ClusterConnection } from '../kube/kube-client.js';

export interface ReviewedUser {
  username: string;
  uid: string | null;
  groups: string[];
  extra: Record<string, string[]>;
}

/** Longest token accepted (ServiceAccount tokens are ~1 KiB; OIDC ID tokens with many groups more). */
export const MAX_TOKEN_LENGTH = 16 * 1024;
const TOKEN = /^[\x21-\x7e]+$/;

/** The token of a login request: a string of visible ASCII, "Bearer " in front tolerated. */
export function checkLoginToken(raw: unknown): string {
  if (typeof raw !== 'string')
    throw badRequest('Paste a Kubernetes bearer token (the "token" field is missing).');
  const token = raw.trim().replace(/^Bearer\s+/i, '');
  if (token === '') throw badRequest('Paste a Kubernetes bearer token: the field is empty.');
  if (token.length > MAX_TOKEN_LENGTH) {
    throw badRequest(`That is not a bearer token: it is longer than ${MAX_TOKEN_LENGTH} characters.`);
  }
  if (!TOKEN.test(token)) {
    throw badRequest('That is not a bearer token: it has spaces, line breaks or characters outside ASCII.');
  }
  return token;
}

function stringList(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
}

/** The user of a SelfSubjectReview response; throws when the answer is not one. */
export function parseSelfSubjectReview(body: unknown): ReviewedUser {
  const info = (body as { status?: { userInfo?: Record<string, unknown> } } | null)?.status?.userInfo;
  const username = info?.['username'];
  if (typeof username !== 'string' || username === '') {
    throw new Error('the API server answered the SelfSubjectReview without a username');
  }
  const uid = typeof info?.['uid'] === 'string' && info['uid'] !== '' ? info['uid'] : null;
  const extra: Record<string, string[]> = {};
  const rawExtra = info?.['extra'];
  if (typeof rawExtra === 'object' && rawExtra !== null) {
    for (const [key, values] of Object.entries(rawExtra)) {
      const list = stringList(values);
      if (list !== null) extra[key] = list;
    }
  }
  return { username, uid, groups: stringList(info?.['groups']) ?? [], extra };
}

/** Asks the API server, with `token` as the only credential, whom it belongs to. KubeApiError 401 for a bad token. */
export async function reviewToken(
  connection: ClusterConnection,
  token: string,
  signal?: AbortSignal,
): Promise<ReviewedUser> {
  const client = connection.client({
    user: 'unknown (signing in)',
    groups: [],
    credential: new BearerTokenCredential(connection.name, token),
  });
  const body = await client.json<unknown>({
    method: 'POST',
    path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    timeoutMs: 10_000,
    signal,
  });
  return parseSelfSubjectReview(body);
}
