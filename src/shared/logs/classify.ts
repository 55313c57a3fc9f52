// Level highlighting and JSON pretty-printing for log lines. Heuristics, so the rules are few and their
// limits are pinned in classify.test.ts.

import { stripAnsi } from './ansi.js';

export type LogLevel = 'error' | 'warn';

const ERROR_LEVELS = new Set([
  'error',
  'err',
  'fatal',
  'panic',
  'crit',
  'critical',
  'alert',
  'emerg',
  'emergency',
  'severe',
]);
const WARN_LEVELS = new Set(['warn', 'warning']);
const CALM_LEVELS = new Set([
  'info',
  'inf',
  'debug',
  'dbg',
  'trace',
  'notice',
  'verbose',
  'fine',
  'finer',
  'finest',
]);

// A structured level field: JSON `"level":"error"`, logfmt `level=error` (also lvl, severity, loglevel,
// log.level), or pino/bunyan's numeric `"level":50`. An explicit level is trusted over any word in the
// message, so `{"level":"info","msg":"retrying after error"}` is not an error.
const LEVEL_FIELD =
  /(?:^|[\s{,"])"?(?:level|lvl|severity|loglevel|log\.level)"?\s*[:=]\s*"?([A-Za-z]+|\d{2}\b)/i;

// klog, used by Kubernetes components: `E1125 20:01:02.123456   1 file.go:42] message`.
const KLOG_HEADER = /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}\.\d{6}\s/;

// Level words standing alone. A word directly followed by '=' or '":' is a field *name* (errors=0,
// error="", "error": null) and says nothing about the level, so it is skipped. INFO/DEBUG/TRACE/NOTICE count
// only in capitals: in prose they are ordinary words, but as a capitalised tag they are the line's level.
const LEVEL_WORD =
  /\b(error|err|fatal|panic|crit|critical|alert|emerg|emergency|severe|warn|warning|info|debug|trace|notice)\b(?!\s*=|":)/gi;

// Crashes that carry no level word: Go panics, Python tracebacks, Java/.NET exceptions.
const CRASH = /^panic: |^Traceback \(most recent call last\)|\b[A-Z]\w*Exception\b/;

export function classifyLevel(text: string): LogLevel | null {
  const line = stripAnsi(text);
  const field = LEVEL_FIELD.exec(line);
  if (field) {
    const value = field[1]!.toLowerCase();
    if (/^\d+$/.test(value)) return Number(value) >= 50 ? 'error' : Number(value) >= 40 ? 'warn' : null;
    if (ERROR_LEVELS.has(value)) return 'error';
    if (WARN_LEVELS.has(value)) return 'warn';
    if (CALM_LEVELS.has(value)) return null;
    // Not a level after all ("battery level: low"): fall through to the words.
  }
  const klog = KLOG_HEADER.exec(line);
  if (klog) return klog[1] === 'E' || klog[1] === 'F' ? 'error' : klog[1] === 'W' ? 'warn' : null;
  // The first level word decides: "INFO retry after error" is informational.
  for (const m of line.matchAll(LEVEL_WORD)) {
    const word = m[1]!;
    const lower = word.toLowerCase();
    if (CALM_LEVELS.has(lower)) {
      if (word === word.toUpperCase()) return null;
      continue; // 'info' or 'debug' in prose
    }
    return ERROR_LEVELS.has(lower) ? 'error' : 'warn';
  }
  return CRASH.test(line) ? 'error' : null;
}

/**
 * The line pretty-printed with 2-space indentation if it is a JSON object or array (ANSI colours are
 * removed first), else null. Numbers and strings are copied from the input, never re-serialised, so a
 * 64-bit id such as 1234567890123456789 is not silently rounded the way JSON.parse + stringify would.
 */
export function tryPrettyJson(text: string): string | null {
  const line = stripAnsi(text).trim();
  const first = line[0];
  const last = line[line.length - 1];
  if (!((first === '{' && last === '}') || (first === '[' && last === ']'))) return null;
  try {
    JSON.parse(line);
  } catch {
    return null;
  }
  return reindent(line);
}

/** Re-indents valid JSON text without parsing values. */
function reindent(json: string): string {
  let out = '';
  let depth = 0;
  const newline = () => '\n' + '  '.repeat(depth);
  for (let i = 0; i < json.length; i++) {
    const ch = json[i]!;
    if (ch === '"') {
      const end = stringEnd(json, i);
      out += json.slice(i, end);
      i = end - 1;
    } else if (ch === '{' || ch === '[') {
      const close = ch === '{' ? '}' : ']';
      const next = nextNonSpace(json, i + 1);
      if (json[next] === close) {
        out += ch + close;
        i = next;
      } else {
        depth++;
        out += ch + newline();
      }
    } else if (ch === '}' || ch === ']') {
      depth--;
      out += newline() + ch;
    } else if (ch === ',') {
      out += ',' + newline();
    } else if (ch === ':') {
      out += ': ';
    } else if (!/\s/.test(ch)) {
      out += ch;
    }
  }
  return out;
}

/** Index just past the closing quote of the string starting at `start`. */
function stringEnd(json: string, start: number): number {
  for (let i = start + 1; i < json.length; i++) {
    if (json[i] === '\\') i++;
    else if (json[i] === '"') return i + 1;
  }
  return json.length;
}

function nextNonSpace(json: string, from: number): number {
  let i = from;
  while (i < json.length && /\s/.test(json[i]!)) i++;
  return i;
}
