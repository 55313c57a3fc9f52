// `kubectl exec -i` running Podscope's own upload script (TEE_SHA256_SCRIPT) on a local file: the
// container side of Podscope's checked upload — tee into the file while sha256sum hashes the same
// stream — with nothing of Podscope in the path. The floor of that method, for the benchmarks.
import { spawn } from 'node:child_process';
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
