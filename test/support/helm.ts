// The helm binary cluster/build-binaries.sh builds (version HELM_VERSION of cluster/lib.sh), run with
// the local cluster's admin kubeconfig.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { adminKubeconfig, getJson, repoRoot, type RunResult } from './cluster.js';

const cacheRoot = process.env.PODSCOPE_CACHE ?? '/var/cache/podscope';
const helmVersion = /HELM_VERSION="\$\{HELM_VERSION:-(v[\d.]+)\}"/.exec(
  readFileSync(path.join(repoRoot, 'cluster/lib.sh'), 'utf8'),
)?.[1];
export const HELM = path.join(cacheRoot, `helm-${helmVersion ?? 'unknown'}`, 'bin', 'helm');

/** Runs helm (argv array) from the repository root; resolves with its exit code and output. */
export function helm(args: string[], timeoutMs = 120_000): Promise<RunResult> {
  if (!existsSync(HELM)) throw new Error(`${HELM} is missing: run bash cluster/build-binaries.sh`);
  return new Promise((resolve) => {
    execFile(
      HELM,
      args,
      {
        cwd: repoRoot,
        timeout: timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, KUBECONFIG: adminKubeconfig },
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Installs Podscope with its chart as `npm run demo:platform` does (scripts/platform/install.sh: image
 * build and import, `helm upgrade --install`, wait until every replica is Ready), on a NodePort of its
 * own. Resolves with the exit code and the whole output; `env` adds e.g. PODSCOPE_DATABASE_URL.
 */
export function installPodscope(opts: {
  namespace: string;
  release: string;
  helmArgs?: string[];
  env?: Record<string, string>;
}): Promise<{ code: number; out: string }> {
  const args = ['scripts/platform/install.sh', '--namespace', opts.namespace, '--release', opts.release];
  return new Promise((resolve) => {
    execFile(
      'bash',
      [...args, '--node-port', 'auto', ...(opts.helmArgs ?? [])],
      {
        cwd: repoRoot,
        timeout: 900_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, ...opts.env },
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }),
    );
  });
}

/** The release's pods, terminating ones included. */
export async function releasePods(namespace: string, release: string): Promise<V1Pod[]> {
  return (
    await getJson<{ items: V1Pod[] }>([
      '-n',
      namespace,
      'get',
      'pods',
      '-l',
      `app.kubernetes.io/instance=${release}`,
    ])
  ).items;
}
