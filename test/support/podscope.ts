// Starts a real Podscope server in-process against the local cluster, and talks to it like a browser.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { buildApp } from '../../src/server/app.js';
import type { AuditStore } from '../../src/server/audit/audit-store.js';
import type { PodscopeConfig } from '../../src/server/config/podscope-config.js';
import type { DebugConfig } from '../../src/server/debug/debug-config.js';
import { KubeconfigClusterRegistry } from '../../src/server/kube/cluster-registry.js';
import { adminKubeconfig } from './cluster.js';

export const CLUSTER = 'podscope-local';

export interface RunningPodscope {
  url: string;
  wsUrl: string;
  /** The audit database and recordings (a temporary directory unless given). */
  dataDir: string;
  close(): Promise<void>;
}

export async function startPodscope(
  opts: {
    kubeconfig?: string;
    webRoot?: string;
    /** Default: a fresh temporary directory, removed on close. */
    dataDir?: string;
    audit?: AuditStore;
    config?: PodscopeConfig;
    /** Debug/file settings (short timers and limits in tests). */
    debug?: Partial<DebugConfig>;
  } = {},
): Promise<RunningPodscope> {
  const registry = new KubeconfigClusterRegistry({
    kubeconfig: opts.kubeconfig ?? adminKubeconfig,
    limits: opts.config?.limits,
  });
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'podscope-data-'));
  const app = await buildApp({
    registry,
    logLevel: 'error',
    webRoot: opts.webRoot ?? '/nonexistent',
    dataDir,
    audit: opts.audit,
    config: opts.config,
    debug: opts.debug,
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: address,
    wsUrl: address.replace(/^http/, 'ws'),
    dataDir,
    close: async () => {
      await app.close();
      if (opts.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
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
      this.messages.push(JSON.parse(data.toString()) as M);
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
