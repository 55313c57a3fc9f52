// The benchmarks' file transfers: Podscope's through curl (a native HTTP client, like the browser's),
// and `kubectl exec -i` running Podscope's own upload script (TEE_SHA256_SCRIPT) on a local file — the
// container side of Podscope's checked upload (tee into the file while sha256sum hashes the same
// stream) with nothing of Podscope in the path: the floor of that method.
import { execFile, spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { TEE_SHA256_SCRIPT } from '../src/server/files/file-transfer.js';
import { adminKubeconfig, kubectlPath } from '../test/support/cluster.js';

/** Writes `local` to `dest` in demo/`pod`'s container `app` through the script; rejects unless it exits 0. */
export function kubectlCheckedWrite(pod: string, local: string, dest: string): Promise<void> {
  const stdin = openSync(local, 'r');
  return new Promise<void>((resolve, reject) => {
    const child = spawn(
      kubectlPath,
      [
        '--kubeconfig',
        adminKubeconfig,
        '-n',
        'demo',
        'exec',
        '-i',
        pod,
        '-c',
        'app',
        '--',
        'sh',
        '-c',
        TEE_SHA256_SCRIPT,
        'podscope-upload',
        dest,
        '',
      ],
      { stdio: [stdin, 'ignore', 'inherit'] },
    );
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kubectl exec: exit ${code}`))));
  }).finally(() => closeSync(stdin));
}

/** Downloads and uploads through a Podscope files URL (…/pods/POD/files) with curl, to and from files. */
export function curlFiles(filesUrl: string, headers: Record<string, string>) {
  const auth = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  const curl = (extra: string[]) =>
    new Promise<void>((resolve, reject) =>
      execFile('curl', ['-sS', '--fail-with-body', ...auth, ...extra], { maxBuffer: 1 << 20 }, (err, out) =>
        err ? reject(new Error(`curl: ${err.message} ${out}`)) : resolve(),
      ),
    );
  const q = (path: string) => `?${new URLSearchParams({ container: 'app', path }).toString()}`;
  return {
    /** The file at `path` in container app, into the local file `out`. */
    download: (path: string, out: string) => curl(['-o', out, `${filesUrl}/download${q(path)}`]),
    /** The local file `local` to `path` in container app. */
    upload: (local: string, path: string) =>
      curl([
        '-o',
        '/dev/null',
        '-H',
        'content-type: application/octet-stream',
        '-T',
        local,
        `${filesUrl}/upload${q(path)}`,
      ]),
  };
}
