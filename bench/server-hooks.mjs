// Preloaded (`node --expose-gc --import <this file>`) into a benchmark's server process only, when
// bench/server.ts is asked for memory hooks: nothing in src/ knows about it and no HTTP route can reach
// it. Plain JavaScript, so that it loads into the compiled server too (PODSCOPE_BENCH_BUILT=1) without
// tsx. It answers over the IPC channel of the benchmark that spawned the server:
//   { type: 'memory' }                  → full GC (twice: weak callbacks free more on the second pass),
//                                          then process.memoryUsage() and the V8 heap's spaces
//   { type: 'heap-snapshot', path }     → v8.writeHeapSnapshot(path) (the snapshot itself GCs first)
import v8 from 'node:v8';

/** @type {(() => void) | undefined} */
const gc = /** @type {{ gc?: () => void }} */ (globalThis).gc;

if (typeof process.send === 'function') {
  const send = process.send.bind(process);
  process.on('message', (/** @type {{ id: number; type: string; path?: string }} */ msg) => {
    if (msg?.type === 'memory') {
      gc?.();
      gc?.();
      send({
        id: msg.id,
        gc: gc !== undefined,
        ...process.memoryUsage(),
        spaces: v8.getHeapSpaceStatistics(),
      });
    } else if (msg?.type === 'heap-snapshot') {
      send({ id: msg.id, path: v8.writeHeapSnapshot(msg.path) });
    }
  });
  // The channel must not keep the server alive on its own (it exits on SIGTERM as it always does).
  /** @type {{ unref?: () => void } | undefined} */ (process.channel)?.unref?.();
}
