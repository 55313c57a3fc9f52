// What the person may do and who they are, asked of Kubernetes as the person (the request's identity:
// the kubeconfig user in local mode, the signed-in person's token or impersonation in platform mode).
// Only advice for the UI: every action is still decided by the policy gate and by Kubernetes itself
// when it is asked for, so an action this says is not allowed still gets Kubernetes' 403 if tried.
//
//   GET /api/clusters/:c/namespaces/:ns/pods/:pod/permissions → PodPermissionsView
//   GET /api/clusters/:c/whoami                               → WhoAmIView
//   (GET /api/clusters/:c/namespaces, the workable namespaces, is in clusters/routes.ts)
import type { FastifyInstance } from 'fastify';
import {
  POD_ACTIONS,
  type ActionPermission,
  type PodAction,
  type PodPermissionsView,
  type WhoAmIView,
} from '../../shared/permissions/api.js';
import { clientFor, type ServerContext } from '../context.js';
import type { DebugConfig } from '../debug/debug-config.js';
import { namespaceParam, podParam, readQuery } from '../http/params.js';
import { nodeDebugEnabled } from '../policy/exec-policy.js';
import { policyAt } from '../policy/gate.js';
import { actionPermission, policyVerdict, requiredAccess } from './required-access.js';

type PodParams = { cluster: string; namespace: string; pod: string };

export function permissionRoutes(app: FastifyInstance, ctx: ServerContext, config: DebugConfig): void {
  app.get<{ Params: PodParams }>(
    '/api/clusters/:cluster/namespaces/:namespace/pods/:pod/permissions',
    async (req, reply) => {
      readQuery(req.query, []);
      const client = clientFor(ctx, req, req.params.cluster);
      const namespace = namespaceParam(req.params.namespace);
      const pod = podParam(req.params.pod);
      const target = { namespace, pod, nodeDebugNamespace: config.nodeDebugNamespace };
      const checks = new Map(POD_ACTIONS.map((a) => [a, requiredAccess(a, target)]));
      const nodeNamespace = config.nodeDebugNamespace;
      const [answers, policy, nodePolicy] = await Promise.all([
        ctx.access.review(client, [...checks.values()].flat()),
        policyAt(ctx, client, namespace),
        // The node pods' namespace has its own policy; failing to read it concerns node debugging only.
        nodeNamespace === namespace
          ? null
          : policyAt(ctx, client, nodeNamespace).catch((err: unknown) => err as Error),
      ]);
      const enabled = nodeDebugEnabled(ctx.execPolicy, client.cluster.name);
      const actions = {} as Record<PodAction, ActionPermission>;
      for (const action of POD_ACTIONS) {
        const verdict =
          action === 'node-debug' && nodePolicy instanceof Error
            ? { offered: enabled, refusal: `Node debugging is not possible here: ${nodePolicy.message}` }
            : policyVerdict(action, policy, {
                enabled,
                policy: nodePolicy instanceof Error ? policy : (nodePolicy ?? policy),
              });
        actions[action] = actionPermission(checks.get(action)!, answers, verdict);
      }
      // Answers are per person and change with their RoleBindings: never kept by a browser or a proxy.
      void reply.header('Cache-Control', 'no-store');
      return { cluster: client.cluster.name, namespace, pod, actions } satisfies PodPermissionsView;
    },
  );

  app.get<{ Params: { cluster: string } }>('/api/clusters/:cluster/whoami', async (req, reply) => {
    readQuery(req.query, []);
    const client = clientFor(ctx, req, req.params.cluster);
    const user = await ctx.access.whoAmI(client);
    void reply.header('Cache-Control', 'no-store');
    return {
      cluster: client.cluster.name,
      username: user.username,
      uid: user.uid,
      groups: user.groups,
      via: client.identity === null ? 'kubeconfig' : 'signed-in',
    } satisfies WhoAmIView;
  });
}
