// Podscope running as a pod: the API server is the `kubernetes` Service (KUBERNETES_SERVICE_HOST/PORT,
// which the kubelet puts in every container's environment) and the identity is the pod's
// ServiceAccount (its projected token, re-read as the kubelet rotates it, and the cluster CA).
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/** Where the kubelet mounts a pod's ServiceAccount credentials. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** What decides where Podscope finds its clusters (all of it read before anything is loaded). */
export interface KubeSourceInputs {
  /** --in-cluster */
  inClusterFlag: boolean;
  /** --kubeconfig */
  kubeconfigFlag: string | undefined;
  /** --context */
  contextFlag: string | undefined;
  /** $KUBECONFIG (empty counts as unset, as kubectl does) */
  kubeconfigEnv: string | undefined;
  /** ~/.kube/config exists */
  homeKubeconfigExists: boolean;
  /** KUBERNETES_SERVICE_HOST and _PORT are set and the ServiceAccount token file exists */
  inClusterAvailable: boolean;
}

export type KubeSource =
  | { kind: 'in-cluster'; why: string }
  | { kind: 'kubeconfig'; path: string | undefined; why: string }
  | { kind: 'error'; message: string };

/**
 * `--in-cluster` wins, and excludes --kubeconfig/--context. Without either flag, a kubeconfig named
 * by $KUBECONFIG or at ~/.kube/config is used as kubectl would; only when there is none and the
 * process runs in a pod is the in-cluster configuration chosen (auto-detection).
 */
export function chooseKubeSource(i: KubeSourceInputs): KubeSource {
  if (i.inClusterFlag) {
    if (i.kubeconfigFlag !== undefined || i.contextFlag !== undefined) {
      return {
        kind: 'error',
        message:
          "--in-cluster uses the pod's ServiceAccount; it cannot be combined with --kubeconfig or --context",
      };
    }
    if (!i.inClusterAvailable) {
      return {
        kind: 'error',
        message:
          `--in-cluster needs to run in a pod: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT and ` +
          `${SERVICE_ACCOUNT_DIR}/token are missing (is automountServiceAccountToken off?)`,
      };
    }
    return { kind: 'in-cluster', why: '--in-cluster' };
  }
  if (i.kubeconfigFlag !== undefined)
    return { kind: 'kubeconfig', path: i.kubeconfigFlag, why: '--kubeconfig' };
  const env = i.kubeconfigEnv === '' ? undefined : i.kubeconfigEnv;
  if (env !== undefined) return { kind: 'kubeconfig', path: undefined, why: '$KUBECONFIG' };
  if (i.homeKubeconfigExists || i.contextFlag !== undefined) {
    return { kind: 'kubeconfig', path: undefined, why: '~/.kube/config' };
  }
  if (i.inClusterAvailable) {
    return { kind: 'in-cluster', why: 'no kubeconfig, running in a pod with a ServiceAccount token' };
  }
  return { kind: 'kubeconfig', path: undefined, why: '~/.kube/config' };
}

/** The inputs of chooseKubeSource from this process's flags, environment and files. */
export function kubeSourceInputs(flags: {
  inCluster: boolean;
  kubeconfig: string | undefined;
  context: string | undefined;
}): KubeSourceInputs {
  return {
    inClusterFlag: flags.inCluster,
    kubeconfigFlag: flags.kubeconfig,
    contextFlag: flags.context,
    kubeconfigEnv: process.env['KUBECONFIG'],
    homeKubeconfigExists: existsSync(path.join(os.homedir(), '.kube', 'config')),
    inClusterAvailable: inClusterAvailable(process.env),
  };
}

export function inClusterAvailable(env: NodeJS.ProcessEnv, root = ''): boolean {
  return (
    !!env['KUBERNETES_SERVICE_HOST'] &&
    !!env['KUBERNETES_SERVICE_PORT'] &&
    existsSync(`${root}${SERVICE_ACCOUNT_DIR}/token`)
  );
}

/**
 * The `sub` claim of a ServiceAccount token (`system:serviceaccount:NS:NAME`), to name Podscope's
 * identity in audit records and logs. Not a verification: the API server does that on every call.
 */
export function tokenSubject(token: string): string | null {
  const payload = token.trim().split('.')[1];
  if (payload === undefined) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : null;
  } catch {
    return null;
  }
}

/**
 * A KubeConfig with one context, `name`, for the API server this pod is in: client-node's in-cluster
 * loader (token file re-read as it rotates, the ServiceAccount CA, the pod's namespace as the default),
 * with the context and user renamed so the cluster shows as `name` and audit records name the
 * ServiceAccount. `root` prefixes the credential paths (tests).
 */
export function inClusterKubeConfig(name: string, root = ''): KubeConfig {
  const loaded = new KubeConfig();
  loaded.loadFromCluster(root);
  const cluster = loaded.getCurrentCluster();
  const user = loaded.getCurrentUser();
  const context = loaded.getContextObject(loaded.getCurrentContext());
  if (!cluster || !user || !context) throw new Error('the in-cluster configuration is incomplete');
  let userName = 'in-cluster service account';
  try {
    userName = tokenSubject(readFileSync(`${root}${SERVICE_ACCOUNT_DIR}/token`, 'utf8')) ?? userName;
  } catch {
    // unreadable now: the first request will say why
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name }],
    users: [{ ...user, name: userName }],
    contexts: [{ name, cluster: name, user: userName, namespace: context.namespace?.trim() || undefined }],
    currentContext: name,
  });
  return kc;
}
