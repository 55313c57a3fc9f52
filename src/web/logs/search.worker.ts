// The log search, off the page's main thread (see search-protocol.ts). Scans in slices of a few
// milliseconds, each its own task, so a new query or new lines are taken between two slices; results go
// back after each slice that found something, at most every REPORT_MS while a long scan runs.

import type { SearchRequest, SearchResults } from './search-protocol.js';
import { SearchScan } from './search-scan.js';

/** One slice's time budget, in milliseconds. */
const SLICE_MS = 8;
/** Entries at most in one slice (the time check is only made every 1,024). */
const SLICE_ENTRIES = 200_000;
/** While a scan runs, found entries are sent back at most this often. */
const REPORT_MS = 32;

// A dedicated worker's global scope (typed here with the DOM's Window, whose postMessage(message, options)
// overload is the worker's too).
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<SearchRequest>) => void) | null;
  postMessage(message: SearchResults, options: { transfer: Transferable[] }): void;
};

const scan = new SearchScan();
const channel = new MessageChannel();
let scheduled = false;
let held: SearchResults | null = null;
let lastReport = 0;

function send(results: SearchResults): void {
  scope.postMessage(results, { transfer: [results.seqs.buffer, results.counts.buffer] });
  lastReport = performance.now();
}

/** Merges two reports of the same search (`later` continues `earlier`). */
function merge(earlier: SearchResults, later: SearchResults): SearchResults {
  const seqs = new Float64Array(earlier.seqs.length + later.seqs.length);
  seqs.set(earlier.seqs);
  seqs.set(later.seqs, earlier.seqs.length);
  const counts = new Uint32Array(seqs.length);
  counts.set(earlier.counts);
  counts.set(later.counts, earlier.counts.length);
  return { type: 'results', id: later.id, seqs, counts, through: later.through };
}

function slice(): void {
  scheduled = false;
  const start = performance.now();
  const results = scan.step(SLICE_ENTRIES, () => performance.now() - start > SLICE_MS);
  if (results !== null) {
    const pending = held !== null && held.id === results.id ? merge(held, results) : results;
    held = null;
    // The last slice of a scan always reports; before it, only every REPORT_MS.
    if (!scan.busy || performance.now() - lastReport >= REPORT_MS) send(pending);
    else held = pending;
  }
  schedule();
}

function schedule(): void {
  if (scheduled || !scan.busy) return;
  scheduled = true;
  channel.port2.postMessage(null);
}

channel.port1.onmessage = slice;

scope.onmessage = (event) => {
  const request = event.data;
  // Results held back for an abandoned search are dropped with it.
  if (request.type === 'search') held = null;
  scan.handle(request);
  schedule();
};
