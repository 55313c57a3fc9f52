// List-then-watch with resume: the live feed behind pod lists and event tables.
// A watch that ends (server timeout, dropped connection) resumes from the last resourceVersion;
// 410 Gone (history compacted) falls back to a fresh list, delivered as a new snapshot.
import { StringDecoder } from 'node:string_decoder';
import { KubeApiError, PodscopeError } from '../http/errors.js';
import type { KubeClient, QueryValue } from './kube-client.js';

export interface KubeObject {
  metadata?: { name?: string; uid?: string; resourceVersion?: string; namespace?: string };
}

export interface ListWatchHandlers<T> {
  onSnapshot(items: T[]): Promise<void> | void;
  onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T): Promise<void> | void;
  /** A failure the user should see (e.g. 403); the loop stops after it. */
  onFatal(err: PodscopeError): void;
}

interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T & { code?: number; message?: string };
}

/** Far above any object etcd stores (1.5 MiB by default), so only a broken stream reaches it. */
export const MAX_WATCH_EVENT_CHARS = 16 * 1024 * 1024;

/**
 * Yields the JSON lines of a streaming (AsyncIterable) response, one parsed object at a time. A line
 * longer than `maxChars` is an error rather than a buffer that grows without bound.
 */
export async function* jsonLines<T>(
  res: AsyncIterable<unknown>,
  maxChars = MAX_WATCH_EVENT_CHARS,
): AsyncGenerator<T> {
  const decoder = new StringDecoder('utf8');
  let buffered = '';
  for await (const chunk of res) {
    buffered += decoder.write(chunk as Buffer);
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) yield JSON.parse(line) as T;
    }
    if (buffered.length > maxChars) {
      throw new Error(`a watch event longer than ${maxChars} characters; the stream is broken`);
    }
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export async function listWatch<T extends KubeObject>(
  client: KubeClient,
  path: string,
  query: Record<string, QueryValue>,
  handlers: ListWatchHandlers<T>,
  signal: AbortSignal,
  /** A snapshot the caller already holds (e.g. the object a write returned): no list, the watch starts there. */
  from?: { items: T[]; resourceVersion: string },
): Promise<void> {
  let resourceVersion: string | null = null;
  let failures = 0;
  if (from !== undefined && from.resourceVersion !== '') {
    resourceVersion = from.resourceVersion;
    await handlers.onSnapshot(from.items);
  }
  while (!signal.aborted) {
    try {
      if (resourceVersion === null) {
        const list = await client.json<{ items: T[]; metadata: { resourceVersion: string } }>({
          path,
          query,
          signal,
        });
        resourceVersion = list.metadata.resourceVersion;
        await handlers.onSnapshot(list.items);
      }
      const res = await client.stream({
        path,
        query: { ...query, watch: true, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 },
        signal,
      });
      const onAbort = () => res.destroy();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        for await (const ev of jsonLines<WatchEvent<T>>(res)) {
          failures = 0;
          if (ev.type === 'ERROR') {
            // 410 Gone: our resourceVersion is too old; list again.
            if (ev.object.code === 410) resourceVersion = null;
            break;
          }
          const rv = ev.object.metadata?.resourceVersion;
          if (rv) resourceVersion = rv;
          if (ev.type !== 'BOOKMARK') await handlers.onEvent(ev.type, ev.object);
        }
      } finally {
        signal.removeEventListener('abort', onAbort);
        res.destroy();
      }
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof KubeApiError && (err.status === 401 || err.status === 403 || err.status === 404)) {
        handlers.onFatal(err);
        return;
      }
      failures += 1;
      // Unreachable or 5xx: keep trying with backoff; relist so nothing is missed.
      resourceVersion = null;
      await sleep(Math.min(10_000, 250 * 2 ** failures), signal);
    }
  }
}
