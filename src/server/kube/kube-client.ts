// The one place Podscope talks HTTP to a Kubernetes API server. Every feature goes through a
// KubeClient bound to (cluster, identity), so acting as the person (their own token, or impersonation)
// is a property of the client, not of each feature. Nothing of the browser's request reaches Kubernetes
// but what a route puts in a KubeRequest: no header of the browser's is ever forwarded. Streaming calls hand back the raw response so callers keep back-pressure.
// Long-lived requests (log follows, watches) and short ones use separate connection pools, so a
// workload with hundreds of open follows can never make a pod GET wait for a free socket. The
// long-lived ones go over HTTP/2 where the API server speaks it (many streams share a few TLS
// connections: h2-streams.ts), else one HTTP/1.1 connection each.
import https from 'node:https';
import tls from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import { DEFAULT_LIMITS } from '../config/limits.js';
import { KubeApiError, PodscopeError, unreachable } from '../http/errors.js';
import { ConnectionSlots } from './connection-slots.js';
import { H2Streams, isDroppedHttp2, NoHttp2, tlsKey, type H2TlsOptions } from './h2-streams.js';
import { impersonationHeaders, type Identity } from './identity.js';

export type QueryValue = string | number | boolean | string[] | undefined | null;

/** One request to an API server as it ended (response headers, or no answer), for metrics. */
export interface KubeRequestObservation {
  method: string;
  path: string;
  query: Record<string, QueryValue>;
  /** The HTTP status; null when no answer came (network, TLS, timeout). */
  status: number | null;
  /** Until the response headers (a stream's body is not timed: it lasts as long as someone watches). */
  seconds: number;
}

const observers = new Set<(o: KubeRequestObservation) => void>();

/** Hears every API server request of every client; returns the function that stops it. */
export function observeKubeRequests(listener: (o: KubeRequestObservation) => void): () => void {
  observers.add(listener);
  return () => observers.delete(listener);
}

/** Tells the observers (also used by the exec upgrade, which does not go through `send`). */
export function reportKubeRequest(o: KubeRequestObservation): void {
  for (const listener of observers) {
    try {
      listener(o);
    } catch {
      // An observer never breaks a request.
    }
  }
}

export interface KubeRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Milliseconds without response headers before giving up (not applied to stream bodies). */
  timeoutMs?: number;
  /** Which connection pool carries the request; default `poolFor(request)`. */
  pool?: ConnectionPool;
}

/**
 * `requests`: short calls that end as soon as their body is read. `streams`: calls whose response stays
 * open for as long as someone watches (log follows, watches, raw log downloads).
 */
export type ConnectionPool = 'requests' | 'streams';

/** The pool a request goes through: the one it names, else `requests` (a JSON call). */
export function poolFor(req: Pick<KubeRequest, 'pool'>): ConnectionPool {
  return req.pool ?? 'requests';
}

export interface ConnectionPoolSizes {
  /** Sockets for short requests (per cluster). */
  kubeRequestConnections: number;
  /**
   * HTTP/1.1 sockets for long-lived requests (per cluster: a cluster behind a proxy, or an API server
   * without HTTP/2); a stream beyond this waits for one to close.
   */
  kubeStreamConnections: number;
  /** Long-lived requests open at once over HTTP/2 (per cluster); more wait for one to end. */
  kubeStreams?: number;
}

/** Whether an error of a response body means the connection dropped (HTTP/1.1 or HTTP/2), not a fault. */
export function isDroppedUpstream(err: unknown): boolean {
  if (isDroppedHttp2(err)) return true;
  return err instanceof Error && /aborted|ECONNRESET|socket hang up|terminated/i.test(err.message);
}

/** A connection to one cluster: its kubeconfig context and one keep-alive agent per pool. */
export class ClusterConnection {
  readonly agents: Readonly<Record<ConnectionPool, https.Agent>>;
  /** Admission to the HTTP/1.1 stream pool: requests beyond its size wait here (and leave when aborted). */
  readonly streamConnectionSlots: ConnectionSlots;
  /** Admission of long-lived requests over HTTP/2 (streams, not connections). */
  readonly streamSlots: ConnectionSlots;
  /** The HTTP/2 connections that carry long-lived requests. */
  readonly h2: H2Streams;

  constructor(
    readonly name: string,
    readonly kubeConfig: KubeConfig,
    readonly server: string,
    readonly defaultNamespace: string | null,
    pools: ConnectionPoolSizes,
    /** false: long-lived requests over HTTP/1.1 only. */
    http2 = true,
  ) {
    this.streamConnectionSlots = new ConnectionSlots(pools.kubeStreamConnections);
    this.streamSlots = new ConnectionSlots(pools.kubeStreams ?? DEFAULT_LIMITS.kubeStreams);
    this.h2 = new H2Streams();
    if (!http2) this.h2.unsupported = true;
    this.agents = {
      requests: new https.Agent({ keepAlive: true, maxSockets: pools.kubeRequestConnections }),
      // The slots bound the streams; a little headroom covers sockets still closing after release.
      streams: new https.Agent({ keepAlive: true, maxSockets: pools.kubeStreamConnections + 4 }),
    };
  }

  private credentialFree: KubeConfig | undefined;

  /**
   * This cluster with a user that has no credentials: the API server's address and TLS settings (CA,
   * server name, proxy) only, for calls that carry a person's own token — so neither Podscope's token
   * nor its client certificate can ride along.
   */
  credentialFreeConfig(): KubeConfig {
    if (this.credentialFree === undefined) {
      const cluster = this.kubeConfig.getCurrentCluster();
      if (cluster === null) throw new Error(`the kubeconfig context "${this.name}" has no cluster`);
      const kc = new KubeConfig();
      const user = 'podscope-person';
      kc.loadFromOptions({
        clusters: [cluster],
        users: [{ name: user }],
        contexts: [{ name: user, cluster: cluster.name, user }],
        currentContext: user,
      });
      this.credentialFree = kc;
    }
    return this.credentialFree;
  }

  /** A client acting as `identity` (null: Podscope's own credentials — the reaper, recovery, health checks). */
  client(identity: Identity | null): KubeClient {
    const credential = identity?.credential;
    if (credential !== undefined && credential.cluster !== this.name) {
      throw new PodscopeError(
        403,
        `You signed in with a token for cluster "${credential.cluster}"; Podscope does not send it to cluster "${this.name}".`,
      );
    }
    return new KubeClient(this, identity);
  }

  private readonly secureContexts = new Map<string, tls.SecureContext>();

  /**
   * One TLS context per set of TLS material (CA, client certificate): without it, every new connection
   * parses the CA and key again into a context of its own (tens of KiB each, for as long as it is open).
   */
  secureContextFor(opts: https.RequestOptions): tls.SecureContext {
    const key = tlsKey({
      host: '',
      port: 0,
      ca: opts.ca,
      cert: opts.cert,
      key: opts.key,
      pfx: opts.pfx,
      passphrase: opts.passphrase,
    });
    let ctx = this.secureContexts.get(key);
    if (ctx === undefined) {
      ctx = tls.createSecureContext(opts);
      // A few at most (Podscope's own, person tokens without a certificate, a rotated certificate).
      if (this.secureContexts.size >= 8) this.secureContexts.delete(this.secureContexts.keys().next().value!);
      this.secureContexts.set(key, ctx);
    }
    return ctx;
  }

  /** Whether long-lived requests go over HTTP/2: TLS without a proxy, and the server offers h2. */
  get http2(): boolean {
    return (
      !this.h2.unsupported &&
      new URL(this.server).protocol === 'https:' &&
      !this.kubeConfig.getCurrentCluster()?.proxyUrl
    );
  }

  close(): void {
    for (const agent of Object.values(this.agents)) agent.destroy();
    this.h2.close();
  }
}

export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.append(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export class KubeClient {
  constructor(
    readonly cluster: ClusterConnection,
    readonly identity: Identity | null,
  ) {}

  /** Full request options (TLS material, auth and impersonation headers) for a path. */
  async requestOptions(
    path: string,
    method = 'GET',
    extraHeaders: Record<string, string> = {},
    pool: ConnectionPool = 'requests',
  ) {
    const url = new URL(this.cluster.server);
    const opts: https.RequestOptions = {
      method,
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: `${url.pathname.replace(/\/$/, '')}${path}`,
      headers: { Accept: 'application/json', ...impersonationHeaders(this.identity), ...extraHeaders },
    };
    const credential = this.identity?.credential;
    if (credential === undefined) {
      await this.cluster.kubeConfig.applyToHTTPSOptions(opts);
      if (this.identity !== null) {
        // A person impersonated: their headers, whatever the kubeconfig user's own `as` would add.
        const headers = opts.headers as Record<string, string | string[]>;
        for (const key of Object.keys(headers)) if (/^impersonate-/i.test(key)) delete headers[key];
        Object.assign(headers, impersonationHeaders(this.identity));
      }
    } else {
      await this.cluster.credentialFreeConfig().applyToHTTPSOptions(opts);
      // The person's token and nothing else: no client certificate, no basic auth, no impersonation.
      for (const key of ['cert', 'key', 'pfx', 'passphrase', 'auth'] as const) delete opts[key];
      (opts.headers as Record<string, string>)['Authorization'] = credential.authorization();
    }
    // client-node puts a new Agent of its own on every request (so no connection was ever reused or
    // limited). The TLS material it set stays on the request; the pool's agent takes it from there.
    // A cluster behind a proxy keeps client-node's proxy agent (and so goes unpooled).
    if (!this.cluster.kubeConfig.getCurrentCluster()?.proxyUrl) opts.agent = this.cluster.agents[pool];
    if (opts.protocol === 'https:') {
      try {
        (opts as tls.ConnectionOptions).secureContext = this.cluster.secureContextFor(opts);
      } catch {
        // Unusable TLS material: the connection fails with the same error, reported as today.
      }
    }
    return opts;
  }

  /** Sends a request and resolves with the response once headers arrive; non-2xx become KubeApiError. */
  async send(req: KubeRequest): Promise<IncomingMessage> {
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const headers: Record<string, string> = {};
    if (body) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = String(body.length);
    }
    const pool = poolFor(req);
    const opts = await this.requestOptions(
      `${req.path}${buildQuery(req.query)}`,
      req.method ?? 'GET',
      headers,
      pool,
    );
    const release =
      pool === 'streams' ? await this.cluster.streamConnectionSlots.acquire(req.signal) : () => {};
    const method = req.method ?? 'GET';
    const started = performance.now();
    const report = (status: number | null) =>
      reportKubeRequest({
        method,
        path: req.path,
        query: req.query ?? {},
        status,
        seconds: (performance.now() - started) / 1000,
      });
    let res: IncomingMessage;
    try {
      res = await new Promise<IncomingMessage>((resolve, reject) => {
        // A stream keeps its slot until its response is closed (read to the end or destroyed).
        const request = https.request({ ...opts, signal: req.signal }, (response) => {
          response.once('close', release);
          resolve(response);
        });
        request.once('close', release);
        request.on('error', (err) =>
          reject(req.signal?.aborted ? err : unreachable(this.cluster.server, err)),
        );
        if (req.timeoutMs) {
          request.setTimeout(req.timeoutMs, () =>
            request.destroy(new Error(`no answer within ${req.timeoutMs} ms`)),
          );
        }
        request.end(body);
      });
    } catch (err) {
      release();
      // A request the browser gave up on (it left) is no failure of the API server.
      if (!req.signal?.aborted) report(null);
      throw err;
    }
    const status = res.statusCode ?? 0;
    report(status);
    if (status >= 200 && status < 300) {
      res.socket?.setTimeout(0);
      return res;
    }
    throw await apiErrorFrom(res, status, res.statusMessage);
  }

  async json<T>(req: KubeRequest): Promise<T> {
    const res = await this.send({ timeoutMs: 30_000, ...req });
    return JSON.parse((await readAll(res)).toString('utf8')) as T;
  }

  /**
   * A streaming GET (logs, watches): the caller reads and must destroy the body. Over HTTP/2 when the
   * API server speaks it, else through the HTTP/1.1 stream pool. When every stream slot is taken, this
   * waits (until `signal`) for one to be free.
   */
  async stream(req: KubeRequest): Promise<Readable> {
    if (this.cluster.http2) {
      try {
        return await this.streamHttp2(req);
      } catch (err) {
        if (!(err instanceof NoHttp2)) throw err;
      }
    }
    return this.send({ ...req, method: 'GET', pool: 'streams' });
  }

  private async streamHttp2(req: KubeRequest): Promise<Readable> {
    const opts = await this.requestOptions(`${req.path}${buildQuery(req.query)}`, 'GET', {}, 'streams');
    const target: H2TlsOptions = {
      host: String(opts.hostname),
      port: Number(opts.port),
      servername: (opts as { servername?: string }).servername,
      ca: opts.ca,
      cert: opts.cert,
      key: opts.key,
      pfx: opts.pfx,
      passphrase: opts.passphrase,
      rejectUnauthorized: opts.rejectUnauthorized,
    };
    const release = await this.cluster.streamSlots.acquire(req.signal);
    const started = performance.now();
    const report = (status: number | null) =>
      reportKubeRequest({
        method: 'GET',
        path: req.path,
        query: req.query ?? {},
        status,
        seconds: (performance.now() - started) / 1000,
      });
    let res;
    try {
      res = await this.cluster.h2.request(
        target,
        'GET',
        opts.path!,
        http2Headers(opts),
        req.signal,
        req.timeoutMs,
      );
    } catch (err) {
      release();
      if (err instanceof NoHttp2) throw err;
      if (req.signal?.aborted) throw err;
      report(null);
      throw unreachable(this.cluster.server, err);
    }
    // The stream keeps its slot until its body is closed (read to the end or destroyed).
    res.body.once('close', release);
    report(res.status);
    if (res.status >= 200 && res.status < 300) return res.body;
    throw await apiErrorFrom(res.body, res.status, undefined);
  }
}

/** HTTP/1.1 request options as HTTP/2 request headers: names in lower case, no connection headers. */
export function http2Headers(opts: https.RequestOptions): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(opts.headers ?? {})) {
    const lower = name.toLowerCase();
    if (
      value === undefined ||
      ['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade'].includes(lower)
    )
      continue;
    out[lower] = Array.isArray(value) ? value.map(String) : String(value);
  }
  if (opts.auth && out['authorization'] === undefined) {
    out['authorization'] = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  }
  return out;
}

export async function readAll(res: Readable, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      res.destroy();
      throw new Error(`response larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function apiErrorFrom(
  res: Readable,
  status: number,
  statusMessage: string | undefined,
): Promise<KubeApiError> {
  let text = '';
  try {
    text = (await readAll(res, 1024 * 1024)).toString('utf8');
  } catch {
    // keep whatever we have: the status code still says what happened
  }
  try {
    const parsed = JSON.parse(text) as { message?: string; reason?: string };
    return new KubeApiError(status, parsed.message ?? text, parsed.reason ?? null);
  } catch {
    return new KubeApiError(status, text.trim() || statusMessage || 'no details', null);
  }
}
