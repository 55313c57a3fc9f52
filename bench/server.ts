// The Podscope server a benchmark measures: a process of its own (as kubectl is one), from the sources
// through tsx (no build needed), so the benchmark's own reading and hashing never share its event loop.
// With PODSCOPE_BENCH_CPU_PROF=DIR (bench/run.ts --cpu-prof) it writes a CPU profile there on exit.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { adminKubeconfig, repoRoot } from '../test/support/cluster.js';
import { fromPrintedUrl } from '../test/support/podscope.js';

export interface BenchServer {
  child: ChildProcess;
  port: number;
  url: string;
  /** `Authorization: Bearer <token>` of this start. */
  headers: Record<string, string>;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** SIGTERM, then waits for the exit (when the profile is written). */
  stop(): Promise<void>;
}

/** `extraArgs`: more command-line options, e.g. `--data-dir DIR`. */
export function startServer(
  port = 7490 + Math.floor(Math.random() * 100),
  extraArgs: string[] = [],
): Promise<BenchServer> {
  const prof = process.env['PODSCOPE_BENCH_CPU_PROF'];
  const child = spawn(
    process.execPath,
    [
      ...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : []),
      '--import',
      'tsx',
      path.join(repoRoot, 'src/server/cli.ts'),
      '--kubeconfig',
      adminKubeconfig,
      '--port',
      String(port),
      ...extraArgs,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (!m) return;
      const printed = fromPrintedUrl(m[1]!);
      resolve({
        child,
        port,
        url: printed.url,
        headers: printed.headers,
        fetch: (p, init = {}) => {
          const h = new Headers(init.headers);
          for (const [k, v] of Object.entries(printed.headers)) if (!h.has(k)) h.set(k, v);
          return fetch(`${printed.url}${p}`, { ...init, headers: h });
        },
        stop: async () => {
          child.kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        },
      });
    });
    void exited.then(() => reject(new Error(`podscope exited: ${out}`)));
  });
}
