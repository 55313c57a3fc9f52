// Access to the project's real local cluster for integration tests (started by `npm run cluster:up`).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const stateDir = process.env.PODSCOPE_CLUSTER_DIR ?? path.join(repoRoot, '.cluster');
export const adminKubeconfig = path.join(stateDir, 'kubeconfig');
export const nobodyKubeconfig = path.join(stateDir, 'kubeconfig-nobody');
export const kubectlPath = path.join(stateDir, 'bin', 'kubectl');
export const DEBUG_IMAGE = 'podscope.local/debug-tools:1';
export const APP_IMAGE = 'podscope.local/app:1';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl (argv array, never a shell string) and resolves with its exit code and output. */
export function kubectl(
  args: string[],
  opts: { kubeconfig?: string; input?: string; timeoutMs?: number } = {},
) {
  if (!existsSync(kubectlPath)) {
    throw new Error(`no local cluster: ${kubectlPath} is missing — run \`npm run cluster:up\` first`);
  }
  return new Promise<RunResult>((resolve) => {
    const child = execFile(
      kubectlPath,
      ['--kubeconfig', opts.kubeconfig ?? adminKubeconfig, ...args],
      { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Like kubectl() but fails the test when kubectl exits non-zero. */
export async function kubectlOk(args: string[], opts: { kubeconfig?: string; timeoutMs?: number } = {}) {
  const r = await kubectl(args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

export async function getJson<T>(args: string[]): Promise<T> {
  return JSON.parse(await kubectlOk([...args, '-o', 'json'])) as T;
}

/** Polls `probe` until it returns a non-undefined value or the deadline passes. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 120_000,
  intervalMs = 1000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

let counter = 0;
/** A DNS-1123 name unique to this test process. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid.toString(36)}-${Date.now().toString(36).slice(-4)}${counter}`;
}

/** The server's `kubectl version` answer (the running cluster's Kubernetes version). */
export async function serverVersion(): Promise<{ major: string; minor: string; gitVersion: string }> {
  const out = JSON.parse(await kubectlOk(['version', '-o', 'json'])) as {
    serverVersion: { major: string; minor: string; gitVersion: string };
  };
  return out.serverVersion;
}

/** The API server's URL, as the admin kubeconfig names it (the cluster scripts decide the address). */
export function apiServerUrl(): string {
  const m = /^\s*server:\s*(\S+)\s*$/m.exec(readFileSync(adminKubeconfig, 'utf8'));
  if (!m) throw new Error(`no server: line in ${adminKubeconfig}`);
  return m[1]!;
}

/**
 * Writes a kubeconfig (context `podscope-local`, like the admin one) that authenticates with a
 * fresh token of ServiceAccount `sa` in `namespace`, so a test can act as a user with exactly the
 * RBAC rules it grants that account.
 */
export async function serviceAccountKubeconfig(namespace: string, sa: string, file: string): Promise<string> {
  const token = (await kubectlOk(['-n', namespace, 'create', 'token', sa, '--duration', '1h'])).trim();
  const yaml = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: podscope-local',
    '  cluster:',
    `    server: ${apiServerUrl()}`,
    `    certificate-authority: ${path.join(stateDir, 'pki', 'ca.crt')}`,
    'users:',
    `- name: ${sa}`,
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: podscope-local',
    '  context:',
    '    cluster: podscope-local',
    `    user: ${sa}`,
    `    namespace: ${namespace}`,
    'current-context: podscope-local',
    '',
  ].join('\n');
  writeFileSync(file, yaml, { mode: 0o600 });
  return file;
}
