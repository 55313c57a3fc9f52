// Events as the UI lists them. Input is core/v1 Event JSON. Events recorded through the newer events.k8s.io
// API (the scheduler, most controllers) appear there with `series`, `eventTime` and `reportingComponent`
// filled instead of the legacy `count`, `first/lastTimestamp` and `source`, so both shapes are read. The
// events.k8s.io/v1 names themselves (`regarding`, `note`, `reportingController`, `deprecated*`) are read
// too, so a caller may pass objects from either API.

import type { EventView } from '../api.js';
import { compareTimestamps } from '../logs/timestamps.js';
import { asNumber, asRecord, asString, type JsonRecord } from '../validation/json.js';

export function toEventView(ev: unknown): EventView {
  const e = asRecord(ev);
  const series = asRecord(e['series']);
  const source = asRecord(e['source']);
  const involved = involvedObjectOf(e);
  const eventTime = asString(e['eventTime']);
  // Like kubectl's formatEventSource: component falls back to the reporting controller, host to its instance.
  // (core/v1 spells the controller `reportingComponent`; events.k8s.io/v1 spells it `reportingController`.)
  const component =
    asString(source['component']) ??
    asString(e['reportingComponent']) ??
    asString(e['reportingController']) ??
    '';
  const host = asString(source['host']) ?? asString(e['reportingInstance']);
  return {
    uid: asString(asRecord(e['metadata'])['uid']) ?? '',
    type: asString(e['type']) ?? 'Normal',
    reason: asString(e['reason']) ?? '',
    message: (asString(e['message']) ?? asString(e['note']) ?? '').trim(),
    count: Math.max(
      1,
      asNumber(series['count']) ?? asNumber(e['count']) ?? asNumber(e['deprecatedCount']) ?? 1,
    ),
    firstSeen: asString(e['firstTimestamp']) ?? asString(e['deprecatedFirstTimestamp']) ?? eventTime,
    lastSeen:
      asString(series['lastObservedTime']) ??
      asString(e['lastTimestamp']) ??
      asString(e['deprecatedLastTimestamp']) ??
      eventTime,
    source: host && component ? `${component}, ${host}` : component || (host ?? ''),
    involvedObject: {
      kind: asString(involved['kind']) ?? '',
      name: asString(involved['name']) ?? '',
      namespace: asString(involved['namespace']),
      fieldPath: asString(involved['fieldPath']),
    },
  };
}

/**
 * Merges rows that say the same thing about the same object (same kind/name/fieldPath, type, reason and
 * message): the API server keeps separate Event objects when the recorder's dedup cache is lost — a
 * kubelet restart, a second scheduler replica — so one probe failure can appear as several rows.
 * Counts add up, the time span widens, and the newest row's uid and source are kept.
 */
export function foldEvents(events: readonly EventView[]): EventView[] {
  const folded = new Map<string, EventView>();
  for (const ev of events) {
    const o = ev.involvedObject;
    const key = JSON.stringify([o.kind, o.namespace, o.name, o.fieldPath, ev.type, ev.reason, ev.message]);
    const seen = folded.get(key);
    if (!seen) {
      folded.set(key, { ...ev, involvedObject: { ...o } });
      continue;
    }
    const newer = compareTime(ev.lastSeen, seen.lastSeen) > 0;
    folded.set(key, {
      ...(newer ? ev : seen),
      involvedObject: seen.involvedObject,
      count: seen.count + ev.count,
      firstSeen: earlier(seen.firstSeen, ev.firstSeen),
      lastSeen: newer ? ev.lastSeen : seen.lastSeen,
    });
  }
  return [...folded.values()];
}

/**
 * Orders by lastSeen, then firstSeen. `kubectl events` sorts by when an event last happened —
 * series.lastObservedTime, else lastTimestamp, else eventTime — which is exactly `lastSeen`; the firstSeen
 * tie-break orders rows from the same second meaningfully (second-precision timestamps tie often).
 * Events without any time sort as the oldest. Returns a new array.
 */
export function sortEvents(events: readonly EventView[], order: 'newest' | 'oldest'): EventView[] {
  const sign = order === 'oldest' ? 1 : -1;
  return [...events].sort(
    (a, b) => sign * (compareTime(a.lastSeen, b.lastSeen) || compareTime(a.firstSeen, b.firstSeen)),
  );
}

/**
 * The events about one pod (and its containers, which appear as the pod with a fieldPath). With a uid,
 * events about an earlier pod of the same name (a StatefulSet replica that was recreated) are left out.
 * Takes raw Event JSON because EventView does not carry the involved object's uid.
 */
export function eventsForPod(events: readonly unknown[], podName: string, podUid?: string): EventView[] {
  return events
    .filter((raw) => {
      const involved = involvedObjectOf(asRecord(raw));
      if (involved['kind'] !== 'Pod' || involved['name'] !== podName) return false;
      const uid = asString(involved['uid']);
      return podUid === undefined || uid === null || uid === podUid;
    })
    .map(toEventView);
}

function involvedObjectOf(e: JsonRecord): JsonRecord {
  return asRecord(e['involvedObject'] ?? e['regarding']);
}

function compareTime(a: string | null, b: string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return compareTimestamps(a, b);
}

function earlier(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareTimestamps(b, a) < 0 ? b : a;
}
