// `GET /metrics` in Prometheus' text format, in two places:
// - on the main port, behind the access token like every other path (a local user can look);
// - on a port of its own (`--metrics-port`), answering only /metrics and without the token: that is the
//   one Prometheus scrapes in a cluster. The token lets its holder act with Podscope's rights (exec into
//   pods), far more than reading counters needs, so it is not handed to the monitoring system; the
//   metrics carry no names, users or secrets. Keep the port off the Service people use (the chart
//   exposes it on the pods only, for pod-level scraping) or limit it with a NetworkPolicy.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { PodscopeMetrics } from './metrics.js';

export function metricsRoutes(app: FastifyInstance, metrics: PodscopeMetrics): void {
  app.get('/metrics', async (_req, reply) =>
    reply
      .header('Content-Type', metrics.contentType())
      .header('Cache-Control', 'no-store')
      .send(await metrics.text()),
  );
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** The metrics-only listener: GET/HEAD /metrics, 404 for any other path, 405 for other methods. */
export async function startMetricsServer(
  metrics: PodscopeMetrics,
  listen: { host: string; port: number },
): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res
        .writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end('Only /metrics is served here.\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    metrics.text().then(
      (text) =>
        res
          .writeHead(200, { 'Content-Type': metrics.contentType(), 'Cache-Control': 'no-store' })
          .end(req.method === 'HEAD' ? undefined : text),
      () => res.writeHead(500).end(),
    );
  });
  // Scrapes are short: no keep-alive connection holds the server open at shutdown.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
