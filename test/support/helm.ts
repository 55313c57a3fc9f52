// The helm binary cluster/build-binaries.sh builds (version HELM_VERSION of cluster/lib.sh), run with
// the local cluster's admin kubeconfig.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { adminKubeconfig, repoRoot, type RunResult } from './cluster.js';

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
