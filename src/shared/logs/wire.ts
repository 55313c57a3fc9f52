// How log stream messages travel on the WebSocket. Every message is a JSON text frame except `lines`
// messages of a single container's stream, which are by far the most frequent (a backlog read sends
// hundreds of thousands of lines): they go as a compact text frame instead of one JSON object per line,
// which costs a third of the bytes of structure, about half the server's encoding time and a quarter of
// the browser's parsing time (measured in the note of issue 13).
//
// A compact frame is `L` followed, for each line, by `<ts> <n> <text>\n`, where `<n>` is the length of
// `<text>` in UTF-16 code units (as JavaScript counts string length; UTF-8 on the wire round-trips it),
// so a text may hold any character — spaces, newlines — and is sliced out without being scanned. `<ts>`
// has no space in it (the kubelet's RFC3339Nano timestamp, or empty). A JSON message always starts with
// `{`, so the first character tells the two apart. Lines that name their source (merged streams) go as
// JSON.
import type { LogLine, LogStreamMessage } from '../api.js';

const COMPACT = 'L';
const SPACE = 32;
const NEWLINE = 10;

/** The frame for `message`: compact for a single container's lines, JSON for everything else. */
export function encodeLogStreamMessage(message: LogStreamMessage): string {
  if (message.type === 'lines') {
    const frame = encodeCompactLines(message.lines);
    if (frame !== null) return frame;
  }
  return JSON.stringify(message);
}

/** The compact frame of `lines`, or null when one of them cannot go in one (a source, a space in `ts`). */
export function encodeCompactLines(lines: readonly LogLine[]): string | null {
  let out = COMPACT;
  for (const line of lines) {
    if (line.source !== undefined || line.ts.includes(' ')) return null;
    out += line.ts + ' ' + line.text.length + ' ' + line.text + '\n';
  }
  return out;
}

/**
 * The message in a frame of a log stream (compact or JSON). Throws on a frame that is neither — a
 * compact frame that does not parse exactly is refused whole, never half-read.
 */
export function decodeLogStreamMessage(data: string): LogStreamMessage {
  if (data.charCodeAt(0) === COMPACT.charCodeAt(0)) return { type: 'lines', lines: decodeCompactLines(data) };
  return JSON.parse(data) as LogStreamMessage;
}

function decodeCompactLines(data: string): LogLine[] {
  const lines: LogLine[] = [];
  const end = data.length;
  let at = 1;
  while (at < end) {
    const space = data.indexOf(' ', at);
    if (space < 0) throw malformed(at);
    const ts = data.slice(at, space);
    let length = 0;
    let digits = 0;
    let i = space + 1;
    for (let c = data.charCodeAt(i); c >= 48 && c <= 57; c = data.charCodeAt(++i)) {
      length = length * 10 + (c - 48);
      digits++;
    }
    if (digits === 0 || digits > 9 || data.charCodeAt(i) !== SPACE) throw malformed(at);
    const textEnd = i + 1 + length;
    if (textEnd >= end || data.charCodeAt(textEnd) !== NEWLINE) throw malformed(at);
    lines.push({ ts, text: data.slice(i + 1, textEnd) });
    at = textEnd + 1;
  }
  return lines;
}

function malformed(at: number): Error {
  return new Error(`Malformed log lines frame at character ${at}.`);
}
