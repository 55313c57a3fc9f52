// Picking the lines of a log excerpt worth quoting: error lines first (the last few, in order), then the
// very last lines, since a crash's cause is usually among them.

import type { LogLine } from '../api.js';
import { stripAnsi } from '../logs/ansi.js';
import { classifyLevel } from '../logs/classify.js';

/** What the kubelet returns (with status 200) when a container's output is gone. */
const UNRETRIEVABLE = /^unable to retrieve container logs for \S+/;

/** The text the kubelet put in place of the output, if the excerpt is that notice rather than output. */
export function unretrievableNotice(lines: readonly LogLine[]): string | null {
  const line = lines.find(
    (l) => UNRETRIEVABLE.test(l.text.trim()) || UNRETRIEVABLE.test(`${l.ts} ${l.text}`),
  );
  if (!line || lines.length > 2) return null;
  return "the kubelet could not retrieve the container's output any more (its log file is gone)";
}

/** Matches errors that carry no level word but are what a crash leaves behind. */
const TELLTALE =
  /\b(fatal|panic|exception|traceback|segmentation fault|core dumped|not found|no such file|permission denied|exec format error|cannot|can't|could not|couldn't|unable to|refused|killed|out of memory|denied)\b/i;

export function isErrorLine(text: string): boolean {
  const plain = stripAnsi(text);
  return classifyLevel(plain) === 'error' || TELLTALE.test(plain);
}

/**
 * Up to `max` lines: the last error-looking lines first (kept in their order), then the final lines of
 * the excerpt for context.
 */
export function telltaleLines(lines: readonly LogLine[], max = 3): LogLine[] {
  const usable = lines.filter((l) => l.text.trim() !== '');
  const errors = usable.filter((l) => isErrorLine(l.text)).slice(-max);
  const picked = new Set(errors);
  for (let i = usable.length - 1; i >= 0 && picked.size < max; i--) picked.add(usable[i]!);
  const errorSet = new Set(errors);
  const rest = usable.filter((l) => picked.has(l) && !errorSet.has(l));
  return [...errors, ...rest];
}

/** The line to quote in a sentence: the last error line, else nothing (quoting "sleeping…" misleads). */
export function quotableLine(lines: readonly LogLine[]): LogLine | null {
  const errors = lines.filter((l) => l.text.trim() !== '' && isErrorLine(l.text));
  return errors.at(-1) ?? null;
}

/** A log line shortened for a sentence. */
export function quote(text: string, max = 120): string {
  const plain = stripAnsi(text).trim();
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}

/** Text to search for in the log view to find a line: a plain prefix (a "…" would never match). */
export function searchText(text: string, max = 80): string {
  return stripAnsi(text).trim().slice(0, max);
}
