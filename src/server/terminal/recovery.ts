// After Podscope is killed (SIGKILL, OOM, power loss) its open terminal sessions have no end record,
// and — since Kubernetes does not end an exec'd process when its stream drops — their processes keep
// running in the containers. At start-up, each such session started by a Podscope process on this host
// that no longer exists is finished: its tagged processes are ended and its audit record is closed.
import { hostname } from 'node:os';
import type { AuditStore, SessionRecord } from '../audit/audit-store.js';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import { endTaggedProcesses } from './container-probes.js';

/** Stored with each session so a later Podscope can tell whose sessions were interrupted. */
export interface SessionOwner {
  host: string;
  pid: number;
}

export const currentOwner = (): SessionOwner => ({ host: hostname(), pid: process.pid });

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A session is ours to recover when it never ended and the Podscope on this host that ran it is gone. */
export function isInterrupted(s: SessionRecord, me: SessionOwner, alive = processAlive): boolean {
  if (s.kind !== 'exec' || s.endedAt !== null) return false;
  const owner = s.details['owner'] as Partial<SessionOwner> | undefined;
  if (!owner || owner.host !== me.host || typeof owner.pid !== 'number') return false;
  return owner.pid !== me.pid && !alive(owner.pid);
}

export async function recoverInterruptedSessions(
  audit: AuditStore,
  registry: ClusterRegistry,
  log: { info(o: unknown, m?: string): void; warn(o: unknown, m?: string): void },
  scanLimit = 2000,
): Promise<number> {
  const me = currentOwner();
  let recovered = 0;
  let before: string | undefined;
  for (let seen = 0; seen < scanLimit;) {
    const page = await audit.listSessions({ kind: 'exec', limit: 500, ...(before ? { before } : {}) });
    seen += page.sessions.length;
    for (const s of page.sessions.filter((x) => isInterrupted(x, me))) {
      const tag = typeof s.details['cleanupTag'] === 'string' ? s.details['cleanupTag'] : null;
      let failure: string | null = 'the image had no `env`, so its processes could not be found';
      if (tag !== null) {
        try {
          const client = registry.get(s.cluster).client(null);
          failure = await endTaggedProcesses(
            client,
            { namespace: s.namespace, pod: s.pod, container: s.container ?? '' },
            tag,
          );
        } catch (err) {
          failure = (err as Error).message;
        }
      }
      const owner = s.details['owner'] as SessionOwner;
      await audit.endSession(s.id, {
        exitCode: null,
        endedAt: new Date(),
        bytesIn: 0,
        bytesOut: 0,
        error:
          `Podscope (pid ${owner.pid}) stopped before this session ended; at the next start ` +
          (failure === null ? 'its processes were ended.' : `its processes could not be ended: ${failure}.`) +
          ' Byte counts are unknown.',
      });
      log.info({ session: s.id, failure }, 'recovered an interrupted terminal session');
      recovered += 1;
    }
    if (!page.nextCursor) break;
    before = page.nextCursor;
  }
  return recovered;
}
