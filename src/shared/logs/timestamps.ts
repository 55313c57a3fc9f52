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
  const localSeconds = daysSinceEpoch(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  const nanos = Number((m[7] ?? '').padEnd(9, '0'));
  return { seconds: localSeconds - offsetSeconds, nanos };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

/**
 * Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
 * Not Date.UTC: it reads the years 0–99 as 1900–1999, which put "0050-…" after "1949-…".
 */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
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
  if (ts.length > 35 || !isValidTimestamp(ts)) return null;
  return { ts, text: space === -1 ? '' : line.slice(space + 1) };
}

/**
 * Orders two RFC3339(Nano) timestamps exactly, whatever their fraction length or zone offset.
 * An unparsable timestamp sorts before every valid one (and unparsable ones compare as strings),
 * so a sort never throws on bad data.
 */
export function compareTimestamps(a: string, b: string): number {
  if (a === b) return 0; // the same text: equal, parsable or not
  const fast = compareUtcFast(a, b);
  if (fast !== null) return fast;
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
 * The last few `YYYY-MM-DDTHH:MM:SS` texts found valid: a log's lines share their second by the
 * thousand, so most lines skip the full parse (the hot path of every followed line).
 */
const validDateTimes: string[] = [];

/** Whether the `YYYY-MM-DDTHH:MM:SS` that `ts` starts with (digits already checked) is a real UTC date and time. */
function validDateTime(ts: string): boolean {
  for (const known of validDateTimes) if (ts.startsWith(known)) return true;
  const dateTime = ts.slice(0, 19);
  if (parseTimestamp(`${dateTime}Z`) === null) return false;
  if (validDateTimes.unshift(dateTime) > 4) validDateTimes.pop();
  return true;
}

/** parseTimestamp(ts) !== null, quickly for the shape kubelet writes. */
export function isValidTimestamp(ts: string): boolean {
  if (KUBELET_SHAPE.test(ts)) return validDateTime(ts);
  return parseTimestamp(ts) !== null;
}

/**
 * For a timestamp in kubelet's shape with a fraction and a real date and time, its text up to the
 * fraction (`YYYY-MM-DDTHH:MM:SS.`); null otherwise. A timestamp that starts with it and has as many
 * fraction digits is valid too, and compares with the first as text.
 */
export function kubeletSecondPrefix(ts: string): string | null {
  if (ts.length < 22 || !KUBELET_SHAPE.test(ts) || !validDateTime(ts)) return null;
  return ts.slice(0, 20);
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, the only shape kubelet writes (a regular expression: several times
 * quicker than a loop over the characters, and this runs for every line).
 */
const KUBELET_SHAPE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z$/;

/**
 * The hot path (every log line is compared while following): two UTC timestamps compare by their
 * fixed-width date-time text, then by their fractions padded to nanoseconds. Null: not both UTC, or a
 * date-time text that is not a valid date, so the full parser decides.
 */
function compareUtcFast(a: string, b: string): number | null {
  if (!KUBELET_SHAPE.test(a) || !KUBELET_SHAPE.test(b)) return null;
  // Field values out of range (month 13…) must be handled like the full parser: let it decide.
  if (!validDateTime(a) || !validDateTime(b)) return null;
  // Equally long (the same number of fraction digits): the text order is the time order.
  if (a.length === b.length) return a < b ? -1 : a > b ? 1 : 0;
  const da = a.slice(0, 19);
  const db = b.slice(0, 19);
  if (da !== db) return da < db ? -1 : 1;
  const pa = a.slice(20, a.length - 1).padEnd(9, '0');
  const pb = b.slice(20, b.length - 1).padEnd(9, '0');
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

/**
 * The `sinceTime` to ask for when resuming after `ts`. The API only takes whole seconds, so this floors:
 * the resumed stream re-sends the lines earlier in that second, which the caller must drop.
 */
export function toSinceTime(ts: string): string {
  const p = parseTimestamp(ts);
  if (p === null) throw new RangeError(`Not an RFC3339 timestamp: ${JSON.stringify(ts.slice(0, 64))}`);
  const since = new Date(p.seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  // toISOString writes other years as ±YYYYYY, which is not RFC 3339.
  if (!/^\d{4}-/.test(since)) {
    throw new RangeError(`${JSON.stringify(ts)} is outside the years 0000–9999 once converted to UTC`);
  }
  return since;
}
