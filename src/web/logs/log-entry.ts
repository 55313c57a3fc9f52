// What the log viewer holds per row: a line of output, or a separator row (restart, source joined…).

import type { LogStreamMessage } from '../../shared/api.js';
import type { LogSource } from './source-colors.js';

export interface LogLineEntry {
  kind: 'line';
  /** Sequence number: unique and increasing for the life of the view (stable React/virtualiser key). */
  seq: number;
  ts: string;
  /** Raw text, ANSI escapes included. */
  text: string;
  /** Text without ANSI escapes: what search and level detection look at. */
  plain: string;
  source?: LogSource;
}

/** The server's marker kinds, plus rows the viewer adds for the stream's own notices. */
export type MarkerKind = Extract<LogStreamMessage, { type: 'marker' }>['kind'] | 'truncated' | 'end';

export interface LogMarkerEntry {
  kind: 'marker';
  seq: number;
  markerKind: MarkerKind;
  message: string;
  ts: string | null;
  source?: LogSource;
}

export type LogEntry = LogLineEntry | LogMarkerEntry;
