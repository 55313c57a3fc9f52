// The pure rules of replica failure: which sessions a replica owns, when the leader may call a silent
// replica lost, and what the closed record says.
import type { ReplicaId, SessionEnd, SessionKind, SessionRecord } from '../audit/audit-store.js';

/**
 * Whether a session of this kind lives and dies with the Podscope process that runs it. A pod copy or
 * node debug pod does not: it lives while any replica's browser holds its lease (the pod's expiry
 * annotation), and its session ends when the pod is deleted.
 */
export function ownedByReplica(kind: SessionKind): boolean {
  return kind !== 'copy' && kind !== 'node-debug';
}

/**
 * When our own heartbeats started succeeding without a break (ms), or null after a failure. A gap
 * longer than `maxGapMs` between two successes (the event loop stalled, the process was suspended) is a
 * break too: we were not watching in between.
 */
export function nextHealthySince(
  state: { healthySince: number | null; lastSuccess: number | null },
  now: number,
  ok: boolean,
  maxGapMs: number,
): { healthySince: number | null; lastSuccess: number | null } {
  if (!ok) return { healthySince: null, lastSuccess: state.lastSuccess };
  const unbroken =
    state.healthySince !== null && state.lastSuccess !== null && now - state.lastSuccess <= maxGapMs;
  return { healthySince: unbroken ? state.healthySince : now, lastSuccess: now };
}

/**
 * The leader may call a replica lost only after its own heartbeats have succeeded for the whole bound:
 * after an outage of the database every replica's last heartbeat is old, and the living ones need one
 * interval to beat again.
 */
export function mayDeclareLost(healthySince: number | null, now: number, lostAfterMs: number): boolean {
  return healthySince !== null && now - healthySince >= lostAfterMs;
}

/** The open sessions of silent replicas that this replica should close (never its own). */
export function sessionsToRecover(sessions: SessionRecord[], me: ReplicaId): SessionRecord[] {
  return sessions.filter(
    (s) => s.endedAt === null && s.replica !== null && s.replica !== me && ownedByReplica(s.kind),
  );
}

export const REPLICA_LOST = 'replica lost';

/** The end written for a session whose replica was lost. `failure`: why its processes could not be ended. */
export function replicaLostEnd(
  s: SessionRecord,
  input: { by: ReplicaId; lostAfterMs: number; now: Date; failure: string | null; hadProcesses: boolean },
): SessionEnd {
  const processes = !input.hadProcesses
    ? ''
    : input.failure === null
      ? ' Its processes in the container were ended.'
      : ` Its processes in the container could not be ended: ${input.failure}.`;
  return {
    exitCode: null,
    endedAt: input.now < s.startedAt ? s.startedAt : input.now,
    bytesIn: 0,
    bytesOut: 0,
    error:
      `${REPLICA_LOST}: Podscope replica ${s.replica ?? '?'} stopped sending heartbeats (none for ${Math.round(input.lostAfterMs / 1000)} s) ` +
      `before this session ended; replica ${input.by} closed it.${processes} Byte counts are unknown.`,
    outcome: { result: REPLICA_LOST, replica: s.replica, closedBy: input.by },
  };
}
