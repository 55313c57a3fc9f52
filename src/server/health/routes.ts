// `GET /healthz` (the process answers: liveness) and `GET /readyz` (this replica can serve: the API
// server and the audit store answer). Both are open to anonymous callers, as kubelet probes are: the
// access rules let exactly these two paths through (access-decision.ts), so they say no more than
// each check's name and whether it passes; the reasons go to the log.
import type { FastifyInstance } from 'fastify';
import type { AuditStore } from '../audit/audit-store.js';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import type { ReadinessCheck, ReadinessProbe } from './readiness.js';

export function healthRoutes(
  app: FastifyInstance,
  readiness: ReadinessProbe,
  draining: () => boolean = () => false,
): void {
  app.get('/healthz', async (_req, reply) =>
    reply.header('Cache-Control', 'no-store').send({ status: 'ok' }),
  );
  app.get('/readyz', async (_req, reply) => {
    // From the first moment of a shutdown: the Service stops sending new connections here.
    if (draining()) {
      return reply
        .code(503)
        .header('Cache-Control', 'no-store')
        .send({ status: 'shutting down', checks: [] });
    }
    const result = await readiness.check();
    return reply
      .code(result.ready ? 200 : 503)
      .header('Cache-Control', 'no-store')
      .send({
        status: result.ready ? 'ready' : 'not ready',
        checks: result.checks.map(({ name, ok }) => ({ name, ok })),
      });
  });
}

/**
 * What `/readyz` checks by default: the API server of the current cluster (its own `/readyz`, which
 * every authenticated or anonymous caller may read), and the audit store when it can check itself
 * (nothing that needs an audit record can start while it cannot be written).
 */
export function defaultReadinessChecks(
  registry: ClusterRegistry,
  audit: AuditStore & { check?: () => Promise<void> },
): ReadinessCheck[] {
  const checks: ReadinessCheck[] = [];
  const current = registry.list().find((c) => c.current);
  if (current !== undefined) {
    checks.push({
      name: 'kubernetes-api',
      run: async (signal) => {
        const res = await registry.get(current.name).client(null).send({ path: '/readyz', signal });
        res.resume();
      },
    });
  }
  const check = audit.check?.bind(audit);
  if (check !== undefined) checks.push({ name: 'audit-store', run: () => check() });
  return checks;
}
