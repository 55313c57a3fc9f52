// Leader election on a coordination.k8s.io/v1 Lease, the decision part: given the Lease as read (or its
// absence), who we are and what we observed before, what to write. No I/O; lease-elector.ts does the
// reading and the writing, with optimistic concurrency on resourceVersion.
//
// As client-go's leaderelection does, expiry is judged on OUR clock, from when WE last saw the record
// change — never by comparing the holder's renewTime with our clock — so clock skew between replicas
// cannot make two leaders; it can only delay a takeover by the skew of the observation.

/** The fields of a Lease that election uses (coordination.k8s.io/v1 LeaseSpec). */
export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number | null;
  /** RFC 3339 with microseconds (MicroTime). */
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number | null;
}

export interface LeaseObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  spec?: LeaseSpec;
}

/** What this replica remembers of the record between rounds. */
export interface Observation {
  /** Identifies the record's content: a change of holder or of renewTime is a change. */
  key: string;
  /** When we first saw this key, on our clock (ms). */
  at: number;
}

export interface ElectionSettings {
  /** Written into the Lease; how long others wait after the last renewal they saw. */
  leaseDurationMs: number;
}

export type LeaseDecision =
  /** No Lease yet: create it with us as holder. */
  | { kind: 'create'; spec: LeaseSpec; observation: Observation }
  /** We hold it: renew. */
  | { kind: 'renew'; spec: LeaseSpec; observation: Observation }
  /** Free or expired: take it over (an update on the resourceVersion read; a conflict means we lost). */
  | { kind: 'acquire'; spec: LeaseSpec; observation: Observation }
  /** Someone else holds it and it has not expired by our clock. */
  | { kind: 'follow'; holder: string; observation: Observation; expiresAt: number };

/** MicroTime as the API server writes it: RFC 3339, six fractional digits, UTC. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function observationKey(spec: LeaseSpec | undefined): string {
  return JSON.stringify([spec?.holderIdentity ?? '', spec?.renewTime ?? '', spec?.acquireTime ?? '']);
}

/** The duration the record asks others to wait, in ms: its own if sensible, else ours. */
function recordDurationMs(spec: LeaseSpec | undefined, settings: ElectionSettings): number {
  const s = spec?.leaseDurationSeconds;
  return typeof s === 'number' && Number.isInteger(s) && s > 0 && s <= 3600
    ? s * 1000
    : settings.leaseDurationMs;
}

export function decideLease(input: {
  lease: LeaseObject | null;
  me: string;
  now: number;
  previous: Observation | null;
  settings: ElectionSettings;
}): LeaseDecision {
  const { lease, me, now, previous, settings } = input;
  const durationSeconds = Math.max(1, Math.round(settings.leaseDurationMs / 1000));
  const mine = (acquireTime: string, transitions: number): LeaseSpec => ({
    holderIdentity: me,
    leaseDurationSeconds: durationSeconds,
    acquireTime,
    renewTime: microTime(now),
    leaseTransitions: transitions,
  });
  if (lease === null) {
    const spec = mine(microTime(now), 0);
    return { kind: 'create', spec, observation: { key: observationKey(spec), at: now } };
  }
  const spec = lease.spec ?? {};
  const holder = spec.holderIdentity ?? '';
  const transitions =
    typeof spec.leaseTransitions === 'number' && spec.leaseTransitions >= 0 ? spec.leaseTransitions : 0;
  if (holder === me) {
    const next = mine(spec.acquireTime ?? microTime(now), transitions);
    return { kind: 'renew', spec: next, observation: { key: observationKey(next), at: now } };
  }
  const key = observationKey(spec);
  // A record we see for the first time counts from now: we cannot know how long it has been there.
  const observation = previous !== null && previous.key === key ? previous : { key, at: now };
  const expiresAt = observation.at + recordDurationMs(spec, settings);
  if (holder === '' || now >= expiresAt) {
    const next = mine(microTime(now), transitions + 1);
    return { kind: 'acquire', spec: next, observation: { key: observationKey(next), at: now } };
  }
  return { kind: 'follow', holder, observation, expiresAt };
}

/** The record written on a clean shutdown: nobody holds it, so a follower takes over at its next round. */
export function releasedSpec(held: LeaseSpec, now: number): LeaseSpec {
  return {
    ...held,
    holderIdentity: null,
    leaseDurationSeconds: 1,
    renewTime: microTime(now),
  };
}

/**
 * Whether we still count as leader at `now`: only until `renewDeadlineMs` after our last successful
 * write. It must be shorter than the lease duration, so we stop acting as leader before anyone else
 * may start.
 */
export function stillLeading(lastRenewedAt: number | null, now: number, renewDeadlineMs: number): boolean {
  return lastRenewedAt !== null && now < lastRenewedAt + renewDeadlineMs;
}
