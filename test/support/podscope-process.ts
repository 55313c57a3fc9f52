// A real Podscope CLI in a process of its own (`node --import tsx src/server/cli.ts …`), for tests that
// must kill it (SIGKILL: no shutdown code runs, as when a pod or its node is lost). Talks to it like
// startPodscope's server does: its printed URL's token as "Authorization: Bearer".
import { spawn, type ChildProcess } from 'node:child_process';
import { adminKubeconfig, repoRoot } from './cluster.js';
import { fromPrintedUrl, WsClient } from './podscope.js';

export interface PodscopeProcess {
  url: string;
  wsUrl: string;
  headers: Record<string, string>;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  getJson<T>(path: string): Promise<{ status: number; body: T }>;
  ws<M = unknown>(path: string): WsClient<M>;
  /** Everything it wrote to stderr so far (warnings, logs at --log-level). */
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Starts the CLI with these extra arguments and environment; resolves once it prints its URL. */
export async function startPodscopeProcess(
  args: string[],
  env: Record<string, string> = {},
): Promise<PodscopeProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/server/cli.ts', '--kubeconfig', adminKubeconfig, '--port', '0', ...args],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const printed = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Podscope is running at (http:\/\/\S+)\n/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`podscope exited (${code}): ${out}${err}`)));
  });
  const server = fromPrintedUrl(printed);
  const withToken = (path: string, init: RequestInit = {}) => {
    const h = new Headers(init.headers);
    for (const [k, v] of Object.entries(server.headers)) if (!h.has(k)) h.set(k, v);
    return fetch(`${server.url}${path}`, { ...init, headers: h });
  };
  return {
    url: server.url,
    wsUrl: server.wsUrl,
    headers: server.headers,
    fetch: withToken,
    getJson: async <T>(path: string) => {
      const res = await withToken(path);
      return { status: res.status, body: (await res.json()) as T };
    },
    ws: <M>(path: string) => new WsClient<M>(`${server.wsUrl}${path}`, server.headers),
    stderr: () => err,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    exited,
  };
}
