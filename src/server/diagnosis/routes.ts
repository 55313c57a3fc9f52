// "Why is this pod failing?": a pod's diagnosis, and a namespace's problem pods grouped by cause. Reads
// only, with the caller's client, so RBAC decides what is seen; what cannot be read is named in the answer.
import type { FastifyInstance } from 'fastify';
import type { NamespaceDiagnosis, PodDiagnosis } from '../../shared/diagnosis/types.js';
import { boolParam, podParam, readQuery } from '../http/params.js';
import { clientFor, existingNamespace, type ServerContext } from '../context.js';
import { diagnoseNamespace, diagnosePodNamed } from './gather.js';

type NsParams = { cluster: string; namespace: string };
type PodParams = NsParams & { pod: string };

export function diagnosisRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const base = '/api/clusters/:cluster/namespaces/:namespace';

  app.get<{ Params: PodParams }>(`${base}/pods/:pod/diagnosis`, async (req): Promise<PodDiagnosis> => {
    readQuery(req.query, []);
    const client = clientFor(ctx, req, req.params.cluster);
    const ns = await existingNamespace(client, req.params.namespace);
    return diagnosePodNamed(client, ns, podParam(req.params.pod));
  });

  // ?logs=true also reads the output of problem pods (slower; the grouping does not need it).
  app.get<{ Params: NsParams }>(`${base}/diagnosis`, async (req): Promise<NamespaceDiagnosis> => {
    const q = readQuery(req.query, ['logs']);
    const logs = boolParam(q.logs, 'logs', false);
    const client = clientFor(ctx, req, req.params.cluster);
    const ns = await existingNamespace(client, req.params.namespace);
    return diagnoseNamespace(client, ns, { logs });
  });
}
