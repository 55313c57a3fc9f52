// The sha256 of a transfer's bytes (the audit record's digest), computed on a worker thread: on the
// main thread it sat in the path of every exec message of a download. Bytes are gathered into batches
// (one copy) whose memory is handed over to the worker, not copied again. One worker serves every
// transfer of the process; it does not keep the process alive.
import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** Bytes gathered before a batch goes to the worker. */
const BATCH_BYTES = 256 * 1024;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  let h = hashes.get(m.id);
  if (!h) hashes.set(m.id, (h = createHash('sha256')));
  if (m.bytes) h.update(new Uint8Array(m.bytes));
  if (m.digest) {
    hashes.delete(m.id);
    parentPort.postMessage({ id: m.id, digest: h.digest('hex') });
  }
});
`;

type Reply = { id: number; digest: string };

let shared: { worker: Worker; waiting: Map<number, (digest: string | null) => void> } | null = null;
let nextId = 0;

function hashWorker() {
  if (shared) return shared;
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  const waiting = new Map<number, (digest: string | null) => void>();
  const state = { worker, waiting };
  worker.on('message', (m: Reply) => {
    waiting.get(m.id)?.(m.digest);
    waiting.delete(m.id);
    if (waiting.size === 0) worker.unref();
  });
  const fail = () => {
    if (shared === state) shared = null;
    for (const resolve of waiting.values()) resolve(null);
    waiting.clear();
  };
  worker.on('error', fail);
  worker.on('exit', fail);
  // Idle, the worker does not keep the process alive; a digest being waited for does (digest()).
  // After the listeners: adding a 'message' listener refs the worker's port again.
  worker.unref();
  shared = state;
  return state;
}

export interface Sha256 {
  update(bytes: Uint8Array): void;
  /** The hex digest of everything updated; null if the worker stopped meanwhile. Call once. */
  digest(): Promise<string | null>;
}

/** A sha256 computed on the shared worker; on the calling thread when no worker can be started. */
export function offThreadSha256(): Sha256 {
  let w: ReturnType<typeof hashWorker> | null;
  try {
    w = hashWorker();
  } catch {
    w = null;
  }
  if (w === null) return inThread(createHash('sha256'));
  const { worker, waiting } = w;
  const id = ++nextId;
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  const send = (final: boolean) => {
    const bytes = batchBytes === 0 ? null : Buffer.concat(batch, batchBytes);
    batch = [];
    batchBytes = 0;
    // A buffer of its own (concat never returns one from the shared pool at this size): handed over.
    const owned = bytes !== null && bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length;
    const payload =
      bytes === null
        ? null
        : owned
          ? bytes.buffer
          : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
    worker.postMessage({ id, bytes: payload, digest: final }, payload ? [payload as ArrayBuffer] : []);
  };
  return {
    update(bytes) {
      batch.push(bytes);
      batchBytes += bytes.length;
      if (batchBytes >= BATCH_BYTES) send(false);
    },
    digest() {
      const result = new Promise<string | null>((resolve) => waiting.set(id, resolve));
      worker.ref();
      send(true);
      return result;
    },
  };
}

function inThread(hash: Hash): Sha256 {
  return {
    update: (bytes) => void hash.update(bytes),
    digest: () => Promise.resolve(hash.digest('hex')),
  };
}
