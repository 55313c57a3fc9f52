// `podscope diagnose [--kubeconfig PATH] [--context NAME] [-n NAMESPACE] [POD] [--output text|json]`:
// the same findings as the web UI, for a terminal, a CI pipeline or a runbook. Exit code 0: healthy;
// 1: problems found; 2: bad usage; 3: could not diagnose (cluster unreachable, pod not found, forbidden).

import { parseArgs } from 'node:util';
import { validateNamespaceName, validatePodName } from '../../shared/validation/names.js';
import { PodscopeError } from '../http/errors.js';
import { KubeconfigClusterRegistry } from '../kube/cluster-registry.js';
import { diagnoseNamespace, diagnosePodNamed } from './gather.js';
import { namespaceReport, podReport } from './text-report.js';

export const DIAGNOSE_USAGE = `Usage: podscope diagnose [--kubeconfig PATH] [--context NAME] [-n NAMESPACE] [POD]
                         [--output text|json] [--json] [--no-color]

Says why a pod is failing, with the evidence: its status, events and container output, read with your
kubeconfig's rights. Without POD: every pod of the namespace, problem pods grouped by cause.

-n, --namespace  the namespace (default: the context's namespace, else "default")
-o, --output     text (default; coloured on a terminal) or json (the same object as the web API)
--json           the same as --output json

Exit code: 0 no problems, 1 problems found, 2 bad usage, 3 could not diagnose.`;

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is a terminal (colour) — and NO_COLOR unset. */
  color: boolean;
}

export async function runDiagnoseCommand(argv: string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        namespace: { type: 'string', short: 'n' },
        output: { type: 'string', short: 'o', default: 'text' },
        json: { type: 'boolean', default: false },
        'no-color': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    io.stderr(`podscope diagnose: ${(err as Error).message}\n\n${DIAGNOSE_USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${DIAGNOSE_USAGE}\n`);
    return 0;
  }
  const output = values.json ? 'json' : values.output;
  if (output !== 'text' && output !== 'json') {
    io.stderr(`podscope diagnose: --output is text or json (got "${output}")\n`);
    return 2;
  }
  if (positionals.length > 1) {
    io.stderr(`podscope diagnose: one pod at a time (got ${positionals.join(' ')})\n\n${DIAGNOSE_USAGE}\n`);
    return 2;
  }
  const pod = positionals[0];
  if (pod !== undefined) {
    const valid = validatePodName(pod);
    if (!valid.ok) {
      io.stderr(`podscope diagnose: ${valid.error}\n`);
      return 2;
    }
  }

  let registry: KubeconfigClusterRegistry;
  try {
    registry = new KubeconfigClusterRegistry({ kubeconfig: values.kubeconfig, context: values.context });
  } catch (err) {
    io.stderr(`podscope diagnose: cannot load the kubeconfig: ${(err as Error).message}\n`);
    return 3;
  }
  try {
    const current = registry.list().find((c) => c.current) ?? registry.list()[0]!;
    const connection = registry.get(current.name);
    const namespace = values.namespace ?? connection.defaultNamespace ?? 'default';
    const validNs = validateNamespaceName(namespace);
    if (!validNs.ok) {
      io.stderr(`podscope diagnose: ${validNs.error}\n`);
      return 2;
    }
    const client = connection.client(null);
    const style = { color: io.color && !values['no-color'] && output === 'text' };
    if (pod !== undefined) {
      const d = await diagnosePodNamed(client, namespace, pod);
      io.stdout(output === 'json' ? `${JSON.stringify(d, null, 2)}\n` : podReport(d, style));
      return d.healthy ? 0 : 1;
    }
    const n = await diagnoseNamespace(client, namespace, { logs: true });
    io.stdout(output === 'json' ? `${JSON.stringify(n, null, 2)}\n` : namespaceReport(n, style));
    return n.problemPods === 0 ? 0 : 1;
  } catch (err) {
    if (err instanceof PodscopeError) {
      io.stderr(`podscope diagnose: ${err.message}\n`);
      return 3;
    }
    throw err;
  } finally {
    registry.close();
  }
}
