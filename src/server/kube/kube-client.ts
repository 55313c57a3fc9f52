// The one place Podscope talks HTTP to a Kubernetes API server. Every feature goes through a
// KubeClient bound to (cluster, identity), so per-user impersonation is a property of the client,
// not of each feature. Streaming calls hand back the raw response so callers keep back-pressure.
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError, unreachable } from '../http/errors.js';
import { impersonationHeaders, type Identity } from './identity.js';

export type QueryValue = string | number | boolean | string[] | undefined | null;

export interface KubeRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Milliseconds without response headers before giving up (not applied to stream bodies). */
  timeoutMs?: number;
}

/** A connection to one cluster: its kubeconfig context and a keep-alive agent. */
export class ClusterConnection {
  readonly agent = new https.Agent({ keepAlive: true, maxSockets: 256 });

  constructor(
    readonly name: string,
    readonly kubeConfig: KubeConfig,
    readonly server: string,
    readonly defaultNamespace: string | null,
  ) {}

  client(identity: Identity | null): KubeClient {
    return new KubeClient(this, identity);
  }

  close(): void {
    this.agent.destroy();
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
  async requestOptions(path: string, method = 'GET', extraHeaders: Record<string, string> = {}) {
    const url = new URL(this.cluster.server);
    const opts: https.RequestOptions = {
      method,
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: `${url.pathname.replace(/\/$/, '')}${path}`,
      headers: { Accept: 'application/json', ...impersonationHeaders(this.identity), ...extraHeaders },
      agent: this.cluster.agent,
    };
    await this.cluster.kubeConfig.applyToHTTPSOptions(opts);
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
    const opts = await this.requestOptions(
      `${req.path}${buildQuery(req.query)}`,
      req.method ?? 'GET',
      headers,
    );
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const request = https.request({ ...opts, signal: req.signal }, resolve);
      request.on('error', (err) => reject(req.signal?.aborted ? err : unreachable(this.cluster.server, err)));
      if (req.timeoutMs) {
        request.setTimeout(req.timeoutMs, () =>
          request.destroy(new Error(`no answer within ${req.timeoutMs} ms`)),
        );
      }
      request.end(body);
    });
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) {
      res.socket?.setTimeout(0);
      return res;
    }
    throw await apiErrorFrom(res);
  }

  async json<T>(req: KubeRequest): Promise<T> {
    const res = await this.send({ timeoutMs: 30_000, ...req });
    return JSON.parse((await readAll(res)).toString('utf8')) as T;
  }

  /** A streaming GET (logs, watches): the caller reads and must destroy the response. */
  stream(req: KubeRequest): Promise<IncomingMessage> {
    return this.send({ ...req, method: 'GET' });
  }
}

export async function readAll(res: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
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

async function apiErrorFrom(res: IncomingMessage): Promise<KubeApiError> {
  const status = res.statusCode ?? 0;
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
    return new KubeApiError(status, text.trim() || res.statusMessage || 'no details', null);
  }
}
