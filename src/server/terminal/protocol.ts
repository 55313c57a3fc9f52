/**
 * The browser ⇄ Podscope terminal protocol (see routes.ts for the full description): validation of what
 * the browser sends. The message types themselves are in src/shared/terminal/api.ts.
 */

import {
  MAX_COMMAND_ARGS,
  MAX_FRAME_BYTES,
  type TerminalClientMessage,
  type TerminalServerMessage,
} from '../../shared/terminal/api.js';

export { MAX_COMMAND_ARGS, MAX_FRAME_BYTES, type TerminalClientMessage, type TerminalServerMessage };

export const MAX_TERMINAL_SIZE = 1000;
/** Control (text) frames are tiny JSON objects. */
export const MAX_CONTROL_BYTES = 4 * 1024;
export const MAX_COMMAND_BYTES = 16 * 1024;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses a control (text) frame from the browser. */
export function parseClientMessage(text: string): Parsed<TerminalClientMessage> {
  if (text.length > MAX_CONTROL_BYTES) {
    return { ok: false, error: `Control messages must be at most ${MAX_CONTROL_BYTES} bytes.` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {
      ok: false,
      error: 'A text frame must be a JSON control message such as {"type":"resize","cols":80,"rows":24}.',
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'A control message must be a JSON object with a "type".' };
  }
  const msg = value as Record<string, unknown>;
  if (msg['type'] !== 'resize') {
    const type = typeof msg['type'] === 'string' ? `"${msg['type'].slice(0, 40)}"` : 'missing';
    return { ok: false, error: `Unknown control message type ${type}; the only one is "resize".` };
  }
  const size = parseSize(msg['cols'], msg['rows']);
  return size.ok ? { ok: true, value: { type: 'resize', ...size.value } } : size;
}

/** Terminal size, each 1..MAX_TERMINAL_SIZE: JSON numbers, or digit strings from the query string. */
export function parseSize(
  cols: unknown,
  rows: unknown,
  fromQuery = false,
): Parsed<{ cols: number; rows: number }> {
  const out: number[] = [];
  for (const [name, raw] of [
    ['cols', cols],
    ['rows', rows],
  ] as const) {
    const n = fromQuery && typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_TERMINAL_SIZE) {
      return {
        ok: false,
        error: `Terminal ${name} must be a whole number from 1 to ${MAX_TERMINAL_SIZE} (got ${JSON.stringify(raw)?.slice(0, 40) ?? 'nothing'}).`,
      };
    }
    out.push(n);
  }
  return { ok: true, value: { cols: out[0] as number, rows: out[1] as number } };
}

/**
 * The `command` query parameter (repeatable: one argv word each). Absent → null (choose a shell).
 * Words are passed to the container as argv, never joined into a shell string.
 */
export function parseCommand(raw: unknown): Parsed<string[] | null> {
  if (raw === undefined) return { ok: true, value: null };
  const words = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  if (words.some((w) => typeof w !== 'string')) return { ok: false, error: 'command must be text.' };
  const argv = words as string[];
  if (argv.length > MAX_COMMAND_ARGS) {
    return { ok: false, error: `A command may have at most ${MAX_COMMAND_ARGS} words (got ${argv.length}).` };
  }
  if (argv[0] === undefined || argv[0].trim() === '') {
    return {
      ok: false,
      error: 'The command must start with a program name; leave command out to get a shell.',
    };
  }
  if (argv.some((w) => w.includes('\0')))
    return { ok: false, error: 'A command word must not contain a NUL byte.' };
  if (argv.reduce((n, w) => n + w.length, 0) > MAX_COMMAND_BYTES) {
    return { ok: false, error: `A command may be at most ${MAX_COMMAND_BYTES} characters long.` };
  }
  return { ok: true, value: argv };
}

/** The exit message the browser shows when the process ends. */
export function exitMessage(
  status:
    | { kind: 'success' }
    | { kind: 'exit'; code: number }
    | { kind: 'failure'; message: string; reason?: string },
): { code: number | null; message: string } {
  switch (status.kind) {
    case 'success':
      return { code: 0, message: 'The process exited with code 0.' };
    case 'exit':
      return { code: status.code, message: `The process exited with code ${status.code}.` };
    case 'failure':
      return { code: null, message: `The process ended without an exit code: ${status.message}` };
  }
}

/** The notice the browser shows when the recording stops at its size cap (the session goes on). */
export function recordingStoppedMessage(maxBytes: number): string {
  return (
    `The session recording reached its size limit of ${describeSize(maxBytes)} and has stopped; the terminal ` +
    'goes on. Typed command lines are still audited, and the audit record notes that the recording is incomplete.'
  );
}

/** "256 MiB", "4 KiB", "1500 bytes": exact, as the limit was configured. */
function describeSize(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}
