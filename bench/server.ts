// The Podscope server a benchmark measures: a process of its own (as kubectl is one), from the sources
// through tsx (no build needed), so the benchmark's own reading and hashing never share its event loop.
// With PODSCOPE_BENCH_CPU_PROF=DIR (bench/run.ts --cpu-prof) it writes a CPU profile there on exit.
// With PODSCOPE_BENCH_BUILT=1 it runs the compiled server (dist/, `npm run build:server`) instead.
// With `{ memoryHooks: true }` the server also runs with --expose-gc and bench/server-hooks.mjs preloaded:
// `memory()` then reads its memory after a full GC, `heapSnapshot()` writes a heap snapshot — both over
// the IPC channel of this process, never through an HTTP route.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HeapSpaceInfo } from 'node:v8';
import { adminKubeconfig, repoRoot } from '../test/support/cluster.js';
import { fromPrintedUrl } from '../test/support/podscope.js';

export interface BenchServer {
  child: ChildProcess;
  port: number;
  url: string;
  /** `Authorization: Bearer <token>` of this start. */
  headers: Record<string, string>;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** The server's process.memoryUsage() right after a full GC, and its heap spaces (only with `memoryHooks`). */
  memory(): Promise<NodeJS.MemoryUsage & { spaces: HeapSpaceInfo[] }>;
  /** Writes a heap snapshot of the server to `file` (only with `memoryHooks`). */
  heapSnapshot(file: string): Promise<string>;
  /** SIGTERM, then waits for the exit (when the profile is written). */
  stop(): Promise<void>;
}

/** `extraArgs`: more command-line options, e.g. `--data-dir DIR`. */
export function startServer(
  port = 7490 + Math.floor(Math.random() * 100),
  extraArgs: string[] = [],
  { memoryHooks = false }: { memoryHooks?: boolean } = {},
): Promise<BenchServer> {
  const prof = process.env['PODSCOPE_BENCH_CPU_PROF'];
  const hooks = pathToFileURL(path.join(repoRoot, 'bench/server-hooks.mjs')).href;
  // PODSCOPE_BENCH_BUILT=1: the compiled server (npm run build:server), as `podscope` ships; tsx adds a
  // name property to every function it compiles (esbuild keepNames), which costs heap per closure.
  const built = process.env['PODSCOPE_BENCH_BUILT'] === '1';
  const child = spawn(
    process.execPath,
    [
      ...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : []),
      ...(built ? [] : ['--import', 'tsx']),
      ...(memoryHooks ? ['--expose-gc', '--import', hooks] : []),
      path.join(repoRoot, built ? 'dist/server/cli.js' : 'src/server/cli.ts'),
      '--kubeconfig',
      adminKubeconfig,
      '--port',
      String(port),
      ...extraArgs,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit', ...(memoryHooks ? (['ipc'] as const) : [])] },
  );
  let nextId = 0;
  const ask = <T>(msg: Record<string, unknown>): Promise<T> => {
    if (!memoryHooks) return Promise.reject(new Error('start the server with { memoryHooks: true }'));
    const id = ++nextId;
    return new Promise<T>((resolve, reject) => {
      const onMessage = (m: { id?: number }) => {
        if (m.id !== id) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m as T);
      };
      const onExit = () => reject(new Error('podscope exited before answering'));
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ ...msg, id });
    });
  };
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
        memory: async () => {
          const m = await ask<NodeJS.MemoryUsage & { gc: boolean; spaces: HeapSpaceInfo[] }>({
            type: 'memory',
          });
          if (!m.gc) throw new Error('the server runs without --expose-gc');
          return m;
        },
        heapSnapshot: async (file) =>
          (await ask<{ path: string }>({ type: 'heap-snapshot', path: file })).path,
        stop: async () => {
          child.kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        },
      });
    });
    void exited.then(() => reject(new Error(`podscope exited: ${out}`)));
  });
}
