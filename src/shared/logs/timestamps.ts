// RFC3339Nano timestamps as kubelet writes them in front of each log line (`timestamps=true`).
// Ordering must be exact to the nanosecond, so nothing here goes through Date for the fraction:
// a Date keeps milliseconds only, and two lines 300ns apart would compare equal.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** A point in time as whole UTC seconds since the epoch plus nanoseconds (0…999 999 999). */
export interface PreciseTime {
  seconds: number;
  nanos: number;
}

export function parseTimestamp(ts: string): PreciseTime | null {
  const m = RFC3339.exec(ts);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const zone = m[8] ?? 'Z';
  let offsetSeconds = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const offHours = Number(zone.slice(1, 3));
    const offMinutes = Number(zone.slice(4, 6));
    if (offHours > 23 || offMinutes > 59) return null;
    offsetSeconds = sign * (offHours * 3600 + offMinutes * 60);
  }
  // Whole seconds are exact in a double for any plausible year, so Date.UTC is safe here.
  const localSeconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
  const nanos = Number((m[7] ?? '').padEnd(9, '0'));
  return { seconds: localSeconds - offsetSeconds, nanos };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Splits `2026-11-25T20:01:02.123456789Z hello` into its timestamp and text.
 * kubelet writes exactly one space after the timestamp; the rest of the line is the container's output,
 * untouched (leading spaces included). Returns null when the line does not start with a valid timestamp.
 */
export function splitTimestampedLine(line: string): { ts: string; text: string } | null {
  const space = line.indexOf(' ');
  const ts = space === -1 ? line : line.slice(0, space);
  // Bound the work on hostile input: a timestamp is never longer than 35 characters.
  if (ts.length > 35 || parseTimestamp(ts) === null) return null;
  return { ts, text: space === -1 ? '' : line.slice(space + 1) };
}

/**
 * Orders two RFC3339(Nano) timestamps exactly, whatever their fraction length or zone offset.
 * An unparsable timestamp sorts before every valid one (and unparsable ones compare as strings),
 * so a sort never throws on bad data.
 */
export function compareTimestamps(a: string, b: string): number {
  const pa = parseTimestamp(a);
  const pb = parseTimestamp(b);
  if (pa === null || pb === null) {
    if (pa !== null) return 1;
    if (pb !== null) return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (pa.seconds !== pb.seconds) return pa.seconds < pb.seconds ? -1 : 1;
  if (pa.nanos !== pb.nanos) return pa.nanos < pb.nanos ? -1 : 1;
  return 0;
}

/**
 * The `sinceTime` to ask for when resuming after `ts`. The API only takes whole seconds, so this floors:
 * the resumed stream re-sends the lines earlier in that second, which the caller must drop.
 */
export function toSinceTime(ts: string): string {
  const p = parseTimestamp(ts);
  if (p === null) throw new RangeError(`Not an RFC3339 timestamp: ${JSON.stringify(ts.slice(0, 64))}`);
  return new Date(p.seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
