// Token login in tests: ServiceAccounts with the RBAC a test needs, their tokens (the TokenRequest API
// through `kubectl create token`), and a client that signs in through Podscope's API and carries the
// session cookie as a browser would.
import { CredentialSealer, parseSessionKeyFile } from '../../src/server/auth/session-crypto.js';
import type { AuthSessionView } from '../../src/shared/api.js';
import { kubectl, kubectlOk } from './cluster.js';
import { WsClient } from './podscope.js';

/** One key for every Podscope of a test (replicas share it). */
export const TEST_SESSION_KEY = 'test-session-key-0123456789abcdefghijklmnopqrstuvwxyz';
export const testSealer = () => new CredentialSealer(parseSessionKeyFile(TEST_SESSION_KEY, 'test key'));

export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

export const READ_PODS: Rule[] = [
  { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods/log', 'events'], verbs: ['get', 'list', 'watch'] },
];
export const EXEC_PODS: Rule[] = [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create'] }];

/** A ServiceAccount in `namespace` with `rules` there (none: it may do nothing). */
export async function serviceAccount(namespace: string, name: string, rules: Rule[]): Promise<void> {
  const items: object[] = [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } }];
  if (rules.length > 0) {
    items.push(
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace }, rules },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name, namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      },
    );
  }
  const r = await kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
  });
  if (r.code !== 0) throw new Error(`could not make ServiceAccount ${namespace}/${name}: ${r.stderr}`);
}

/** A bound token of the ServiceAccount (TokenRequest API). */
export async function tokenOf(namespace: string, name: string, duration = '1h'): Promise<string> {
  return (await kubectlOk(['-n', namespace, 'create', 'token', name, '--duration', duration])).trim();
}

export interface SignInResult {
  status: number;
  body: AuthSessionView & { error?: string; code?: string };
  setCookie: string | null;
  /** `name=value` to send back, when a session cookie was set. */
  cookie: string | null;
  retryAfter: string | null;
}

/** POST /api/auth/login as a browser's page would (same-origin fetch, JSON). */
export async function signIn(baseUrl: string, token: string): Promise<SignInResult> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
    body: JSON.stringify({ token }),
  });
  const setCookie = res.headers.get('set-cookie');
  return {
    status: res.status,
    body: (await res.json()) as SignInResult['body'],
    setCookie,
    cookie: setCookie === null ? null : setCookie.split(';')[0]!,
    retryAfter: res.headers.get('retry-after'),
  };
}

/** Requests carrying a session cookie (and any extra headers a test wants to smuggle in). */
export class SignedInClient {
  constructor(
    readonly baseUrl: string,
    readonly cookie: string,
  ) {}

  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('cookie', this.cookie);
    return fetch(`${this.baseUrl}${path}`, { ...init, headers });
  }

  async getJson<T>(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
    const res = await this.fetch(path, { headers });
    return { status: res.status, body: (await res.json()) as T };
  }

  async logout(): Promise<Response> {
    return this.fetch('/api/auth/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
      body: '{}',
    });
  }

  ws<M = unknown>(path: string): WsClient<M> {
    return new WsClient<M>(`${this.baseUrl.replace(/^http/, 'ws')}${path}`, { cookie: this.cookie });
  }
}
