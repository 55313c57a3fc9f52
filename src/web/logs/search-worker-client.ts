// Runs a log view's searches in a Web Worker (search.worker.ts) for as long as the view is open. If the
// worker cannot start or fails, the store searches on the main thread again, as it did before.

import type { LogSession } from './log-session.js';
import type { SearchRequest, SearchResults } from './search-protocol.js';

/** Connects `session`'s store to a new search worker; returns the disconnect (which ends the worker). */
export function connectSearchWorker(session: LogSession): () => void {
  const store = session.store;
  let worker: Worker;
  try {
    worker = new Worker(new URL('./search.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return () => undefined;
  }
  let connected = true;
  worker.onmessage = (event: MessageEvent<SearchResults>) => {
    if (connected && store.applySearchResults(event.data)) session.changed();
  };
  const fail = (): void => {
    if (!connected) return;
    connected = false;
    worker.terminate();
    store.detachSearch(true);
    session.changed();
  };
  worker.onerror = fail;
  worker.onmessageerror = fail;
  store.attachSearch({
    post: (request: SearchRequest) =>
      worker.postMessage(request, request.type === 'append' ? [request.seqs.buffer] : []),
  });
  return () => {
    if (!connected) return;
    connected = false;
    worker.terminate();
    store.detachSearch(false);
  };
}
