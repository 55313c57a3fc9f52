// Which sources (pod × container) a merged log stream follows. At most `limit` are followed at once;
// the others are remembered as omitted (named to the browser) and take a slot when a followed one
// ends. Everything here is keyed by pod UID and forgotten when the pod goes, so a long follow of a
// workload with churning pods holds state only for the pods that exist. Pure.
import type { V1Pod } from '@kubernetes/client-node';

export interface LogSourceRef {
  /** `<pod uid>/<container>`: a pod re-created under the same name (StatefulSet) is a new source. */
  key: string;
  podUid: string;
  source: { pod: string; container: string };
}

/** How many omitted sources a summary names; the rest are counted. */
export const MAX_NAMED_OMITTED = 100;

export interface SourcesSummary {
  shown: number;
  total: number;
  limit: number;
  omitted: { pod: string; container: string }[];
  omittedMore: number;
}

export const displayName = (ref: LogSourceRef) => `${ref.source.pod}/${ref.source.container}`;

/** The started containers (init, then app) of the pods, ordered by pod name: the order slots are given. */
export function sourcesOf(pods: readonly V1Pod[]): LogSourceRef[] {
  const sorted = [...pods].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const out: LogSourceRef[] = [];
  for (const pod of sorted) {
    const name = pod.metadata?.name ?? '';
    const uid = pod.metadata?.uid ?? name;
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const s of statuses) {
      if (!s.containerID) continue;
      out.push({ key: `${uid}/${s.name}`, podUid: uid, source: { pod: name, container: s.name } });
    }
  }
  return out;
}

export type Verdict = 'follow' | 'omit' | 'known';

export class MergedSourceSet {
  private readonly followed = new Map<string, LogSourceRef & { gone?: boolean }>();
  /** Insertion order is the order they get a slot. */
  private readonly omitted = new Map<string, LogSourceRef>();
  /** Followed sources that ended while their pod still exists: not followed again on the next event. */
  private readonly ended = new Map<string, LogSourceRef>();

  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  }

  /** A source seen in a list or event: follow it now, omit it (first sighting at the limit), or known. */
  offer(ref: LogSourceRef): Verdict {
    if (this.followed.has(ref.key) || this.omitted.has(ref.key) || this.ended.has(ref.key)) return 'known';
    if (this.followed.size < this.limit) {
      this.followed.set(ref.key, ref);
      return 'follow';
    }
    this.omitted.set(ref.key, ref);
    return 'omit';
  }

  /** A followed source's stream ended. Returns the omitted source that takes its slot, if any. */
  finished(key: string): LogSourceRef | undefined {
    const ref = this.followed.get(key);
    if (!ref) return undefined;
    this.followed.delete(key);
    if (!ref.gone) this.ended.set(key, ref);
    const [next] = this.omitted.values();
    if (next === undefined) return undefined;
    this.omitted.delete(next.key);
    this.followed.set(next.key, next);
    return next;
  }

  /** The pod was deleted: forget its sources. Returns whether the omitted ones changed. */
  podGone(uid: string): boolean {
    return this.forget((ref) => ref.podUid === uid);
  }

  /** After a relist: forget the sources of pods that are no longer there. */
  retainPods(uids: ReadonlySet<string>): boolean {
    return this.forget((ref) => !uids.has(ref.podUid));
  }

  /** Whether some sources are not shown. */
  get capped(): boolean {
    return this.omitted.size > 0;
  }

  get followedCount(): number {
    return this.followed.size;
  }

  /** Entries held, for tests: bounded by the sources of the pods that exist. */
  get size(): number {
    return this.followed.size + this.omitted.size + this.ended.size;
  }

  summary(): SourcesSummary {
    const named: SourcesSummary['omitted'] = [];
    for (const ref of this.omitted.values()) {
      if (named.length === MAX_NAMED_OMITTED) break;
      named.push(ref.source);
    }
    return {
      shown: this.followed.size,
      total: this.followed.size + this.omitted.size,
      limit: this.limit,
      omitted: named,
      omittedMore: this.omitted.size - named.length,
    };
  }

  private forget(matches: (ref: LogSourceRef) => boolean): boolean {
    let omittedChanged = false;
    for (const [key, ref] of this.omitted) {
      if (matches(ref)) {
        this.omitted.delete(key);
        omittedChanged = true;
      }
    }
    for (const [key, ref] of this.ended) if (matches(ref)) this.ended.delete(key);
    // A followed source keeps its slot until its stream ends (it will: the pod is gone).
    for (const ref of this.followed.values()) if (matches(ref)) ref.gone = true;
    return omittedChanged;
  }
}

/** The sentence shown above a capped merged stream. */
export function describeSummary(s: SourcesSummary): string {
  if (s.total <= s.shown) return `Showing all ${s.total} sources.`;
  const names = s.omitted.map((o) => `${o.pod}/${o.container}`).join(', ');
  const more = s.omittedMore > 0 ? ` and ${s.omittedMore} more` : '';
  return (
    `Showing ${s.shown} of ${s.total} sources (pod/container): a merged stream follows at most ` +
    `${s.limit} at once. Not shown: ${names}${more}. One takes the place of any shown source that ends.`
  );
}
