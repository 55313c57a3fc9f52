// A counting semaphore for long-lived requests. Node's Agent queues requests beyond maxSockets too,
// but a request aborted while queued stays in that queue until a socket frees, which for streams that
// last hours may be never: browsers that give up on waiting would pile up there without bound. Here a
// waiter that is aborted leaves the queue at once.

export class ConnectionSlots {
  private used = 0;
  private readonly waiters = new Set<{ grant: () => void }>();

  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  }

  get inUse(): number {
    return this.used;
  }

  get waiting(): number {
    return this.waiters.size;
  }

  /**
   * Resolves with a release function (safe to call twice) once a slot is free; rejects with the
   * signal's reason if it aborts first.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.used < this.limit) {
      this.used++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiters.delete(waiter);
        reject(abortReason(signal!));
      };
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.releaser());
        },
      };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const [next] = this.waiters;
      if (next) {
        // The slot passes straight to the longest waiter.
        this.waiters.delete(next);
        next.grant();
      } else {
        this.used--;
      }
    };
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}
