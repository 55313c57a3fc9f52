// Starts a real Podscope server in-process against the local cluster, and talks to it like a browser.
// As the product does, it starts with a fresh access token; `fetch`, `getJson` and `ws` carry it as
// "Authorization: Bearer", and a browser test opens `loginUrl()` first, as a user opens the printed URL.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { generateToken } from '../../src/server/access/access-token.js';
import { buildApp, type OidcLoginAppOptions, type TokenLoginOptions } from '../../src/server/app.js';
import type { AuditStore, SessionWithCommands } from '../../src/server/audit/audit-store.js';
import type { PodscopeConfig } from '../../src/server/config/podscope-config.js';
import type { DebugConfig } from '../../src/server/debug/debug-config.js';
import { KubeconfigClusterRegistry, type ClusterRegistry } from '../../src/server/kube/cluster-registry.js';
import { adminKubeconfig, waitFor } from './cluster.js';
import { decodeLogStreamMessage } from '../../src/shared/logs/wire.js';

export const CLUSTER = 'podscope-local';

export interface RunningPodscope {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  wsUrl: string;
  /** This start's access token; null when started with `token: false` (--no-token). */
  token: string | null;
  /** What a script sends to be let in: `Authorization: Bearer <token>` (empty without a token). */
  headers: Record<string, string>;
  /** The URL a browser opens first, like the one podscope prints: `${url}${path}?token=…`. */
  loginUrl(path?: string): string;
  /** fetch() of a path on this server with the token added (unless `init` sets Authorization itself). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  getJson<T>(path: string): Promise<{ status: number; body: T }>;
  /** The audit session with this id through the audit API, once it has ended (waits up to `timeoutMs`). */
  endedAuditSession(id: string, timeoutMs?: number): Promise<SessionWithCommands>;
  /** A WebSocket on a path of this server, with the token and any extra headers. */
  ws<M = unknown>(path: string, headers?: Record<string, string>): WsClient<M>;
  /** The audit database and recordings (a temporary directory unless given). */
  dataDir: string;
  close(): Promise<void>;
}

export async function startPodscope(
  opts: {
    kubeconfig?: string;
    /** Instead of a kubeconfig: e.g. an in-cluster registry. */
    registry?: ClusterRegistry;
    webRoot?: string;
    /** Default: a fresh temporary directory, removed on close. */
    dataDir?: string;
    audit?: AuditStore;
    /** PostgreSQL for audit records and recordings (as --database-url); default SQLite in dataDir. */
    databaseUrl?: string;
    config?: PodscopeConfig;
    /** Debug/file settings (short timers and limits in tests). */
    debug?: Partial<DebugConfig>;
    /** Default true, as the product starts; false is --no-token. */
    token?: boolean;
    allowedHosts?: string[];
    allowedOrigins?: string[];
    /** Token login instead of the access token: people sign in (see test/support/token-login.ts). */
    tokenLogin?: TokenLoginOptions;
    /** Single sign-on instead of the access token (see test/support/oidc-login.ts). */
    oidcLogin?: OidcLoginAppOptions;
    /** Default: any free port (single sign-on needs it known first: it is in the public URL). */
    port?: number;
  } = {},
): Promise<RunningPodscope> {
  const registry =
    opts.registry ??
    new KubeconfigClusterRegistry({
      kubeconfig: opts.kubeconfig ?? adminKubeconfig,
      limits: opts.config?.limits,
    });
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'podscope-data-'));
  const token =
    opts.token === false || opts.tokenLogin !== undefined || opts.oidcLogin !== undefined
      ? null
      : generateToken();
  const app = await buildApp({
    registry,
    logLevel: 'error',
    webRoot: opts.webRoot ?? '/nonexistent',
    dataDir,
    audit: opts.audit,
    databaseUrl: opts.databaseUrl,
    config: opts.config,
    debug: opts.debug,
    token,
    ...(opts.tokenLogin === undefined ? {} : { tokenLogin: opts.tokenLogin }),
    ...(opts.oidcLogin === undefined ? {} : { oidcLogin: opts.oidcLogin }),
    host: '127.0.0.1',
    allowedHosts: opts.allowedHosts,
    allowedOrigins: opts.allowedOrigins,
  });
  const address = await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  const url = address;
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  const withToken = (path: string, init: RequestInit = {}): Promise<Response> => {
    const h = new Headers(init.headers);
    for (const [k, v] of Object.entries(headers)) if (!h.has(k)) h.set(k, v);
    return fetch(`${url}${path}`, { ...init, headers: h });
  };
  const getJson = async <T>(path: string) => {
    const res = await withToken(path);
    return { status: res.status, body: (await res.json()) as T };
  };
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    token,
    headers,
    loginUrl: (path = '/') =>
      token === null ? `${url}${path}` : `${url}${path}${path.includes('?') ? '&' : '?'}token=${token}`,
    fetch: withToken,
    getJson,
    endedAuditSession: (id, timeoutMs = 30_000) =>
      waitFor(
        `audit session ${id} to end`,
        async () => {
          const r = await getJson<SessionWithCommands>(`/api/audit/sessions/${encodeURIComponent(id)}`);
          return r.body.endedAt ? r.body : undefined;
        },
        timeoutMs,
        50,
      ),
    ws: <M>(path: string, extra: Record<string, string> = {}) =>
      new WsClient<M>(`${url.replace(/^http/, 'ws')}${path}`, { ...headers, ...extra }),
    dataDir,
    close: async () => {
      await app.close();
      if (opts.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What the CLI prints ("running at http://127.0.0.1:PORT/?token=…"): its base URL and the token. */
export function fromPrintedUrl(printed: string): {
  url: string;
  wsUrl: string;
  token: string | null;
  headers: Record<string, string>;
} {
  const u = new URL(printed);
  const token = u.searchParams.get('token');
  return {
    url: u.origin,
    wsUrl: u.origin.replace(/^http/, 'ws'),
    token,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  };
}

/** A WebSocket whose JSON messages are collected; `until` waits for a condition on them. */
export class WsClient<M = unknown> {
  readonly messages: M[] = [];
  private readonly ws: WebSocket;
  private waiters: (() => void)[] = [];
  closedWith: { code: number; reason: string } | null = null;
  readonly opened: Promise<void>;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
      this.ws.once('error', reject);
    });
    this.opened.catch(() => undefined);
    this.ws.on('message', (data) => {
      // Log streams send lines in compact frames; every other message is JSON (which this also reads).
      this.messages.push(decodeLogStreamMessage(data.toString()) as M);
      this.notify();
    });
    this.ws.on('close', (code, reason) => {
      this.closedWith = { code, reason: reason.toString() };
      this.notify();
    });
  }

  private notify() {
    for (const w of this.waiters.splice(0)) w();
  }

  async until(what: string, predicate: (messages: M[]) => boolean, timeoutMs = 60_000): Promise<M[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages)) {
      if (this.closedWith && !predicate(this.messages)) {
        throw new Error(
          `socket closed (${this.closedWith.code} ${this.closedWith.reason}) before ${what}; got ${JSON.stringify(this.messages).slice(-2000)}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${what}; last messages: ${JSON.stringify(this.messages.slice(-5)).slice(0, 2000)}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
    return this.messages;
  }

  close(): void {
    this.ws.close();
  }
}

/** A TCP proxy to the API server whose connections a test can cut, to simulate network drops. */
export class CuttableProxy {
  private readonly sockets = new Set<net.Socket>();
  private server!: net.Server;
  port = 0;
  cuts = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  /** Drops every open connection, like a network failure. */
  cutAll(): number {
    const n = this.sockets.size;
    for (const s of this.sockets) s.destroy();
    this.cuts += 1;
    return n;
  }

  async stop(): Promise<void> {
    this.cutAll();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
