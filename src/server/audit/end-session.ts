/**
 * Writing the end of a session when the store may be down (PostgreSQL restarting, a network blip): the
 * action has happened or been stopped, and its record must not stay open because of an outage. The end
 * (with the time it really ended) is tried at once; while the store is 'unavailable' it is tried again in
 * the background until it is written or `giveUpAfterMs` has passed. Never throws.
 */
import { AuditStoreError, type AuditStore, type SessionEnd, type SessionId } from './audit-store.js';

export interface EndSessionRetry {
  retryEveryMs?: number;
  giveUpAfterMs?: number;
}

type Log = { warn(obj: unknown, msg?: string): void; info?(obj: unknown, msg?: string): void };

export const END_RETRY_EVERY_MS = 2000;
export const END_GIVE_UP_AFTER_MS = 10 * 60 * 1000;

/**
 * Resolves after the first attempt with true (written) or false (not yet, or never: an error that a retry
 * cannot fix, such as an unknown session). `retried` resolves when the background retries are over.
 */
export async function endSessionSurvivingOutage(
  audit: Pick<AuditStore, 'endSession'>,
  id: SessionId,
  end: SessionEnd,
  log: Log,
  options: EndSessionRetry & { retried?: (written: boolean) => void } = {},
): Promise<boolean> {
  const attempt = async (): Promise<'written' | 'retry' | 'failed'> => {
    try {
      await audit.endSession(id, end);
      return 'written';
    } catch (err) {
      if (err instanceof AuditStoreError && err.code === 'unavailable') return 'retry';
      log.warn({ err, session: id }, 'could not end the audit session');
      return 'failed';
    }
  };
  const first = await attempt();
  if (first !== 'retry') {
    options.retried?.(first === 'written');
    return first === 'written';
  }
  log.warn(
    { session: id },
    'the audit store is unavailable; the end of the session will be written when it is back',
  );
  const every = options.retryEveryMs ?? END_RETRY_EVERY_MS;
  const deadline = Date.now() + (options.giveUpAfterMs ?? END_GIVE_UP_AFTER_MS);
  const again = () => {
    const timer = setTimeout(() => {
      void attempt().then((result) => {
        if (result === 'retry' && Date.now() < deadline) return again();
        if (result === 'written')
          log.info?.({ session: id }, 'wrote the end of the audit session after an outage');
        if (result === 'retry') log.warn({ session: id }, 'gave up writing the end of the audit session');
        options.retried?.(result === 'written');
      });
    }, every);
    timer.unref();
  };
  again();
  return false;
}
