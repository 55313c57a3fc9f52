// The log viewer's options as they appear in the page URL (so a view can be shared), and the
// query strings derived from them for the stream and download endpoints. Pure.

import type { QueryValue } from '../common/api-paths.js';

export const TAIL_OPTIONS = ['100', '500', '1000', '5000', 'all'] as const;
export type TailOption = (typeof TAIL_OPTIONS)[number];

export const SINCE_OPTIONS = ['1m', '5m', '15m', '1h', 'all'] as const;
export type SinceOption = (typeof SINCE_OPTIONS)[number];

const SINCE_SECONDS: Record<Exclude<SinceOption, 'all'>, number> = {
  '1m': 60,
  '5m': 300,
  '15m': 900,
  '1h': 3600,
};

export interface LogViewOptions {
  /** null: let the page pick (the first app container). */
  container: string | null;
  tail: TailOption;
  since: SinceOption;
  previous: boolean;
  follow: boolean;
  timestamps: boolean;
  wrap: boolean;
  /** Search text; `regex`/`caseSensitive` say how to read it, `filter` shows only matching lines. */
  q: string;
  regex: boolean;
  caseSensitive: boolean;
  filter: boolean;
  /** Pretty-print every JSON line. */
  json: boolean;
}

export const DEFAULT_LOG_OPTIONS: LogViewOptions = {
  container: null,
  tail: '500',
  since: 'all',
  previous: false,
  follow: true,
  timestamps: false,
  wrap: false,
  q: '',
  regex: false,
  caseSensitive: false,
  filter: false,
  json: false,
};

function pick<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return (allowed as readonly string[]).includes(value ?? '') ? (value as T) : fallback;
}

function flag(value: string | null, fallback: boolean): boolean {
  if (value === null) return fallback;
  return value === '1' || value === 'true';
}

export function parseLogOptions(params: URLSearchParams): LogViewOptions {
  const d = DEFAULT_LOG_OPTIONS;
  return {
    container: params.get('container') || null,
    tail: pick(params.get('tail'), TAIL_OPTIONS, d.tail),
    since: pick(params.get('since'), SINCE_OPTIONS, d.since),
    previous: flag(params.get('previous'), d.previous),
    follow: flag(params.get('follow'), d.follow),
    timestamps: flag(params.get('timestamps'), d.timestamps),
    wrap: flag(params.get('wrap'), d.wrap),
    q: params.get('q') ?? d.q,
    regex: flag(params.get('regex'), d.regex),
    caseSensitive: flag(params.get('case'), d.caseSensitive),
    filter: flag(params.get('filter'), d.filter),
    json: flag(params.get('json'), d.json),
  };
}

const PARAM_NAMES: Record<keyof LogViewOptions, string> = {
  container: 'container',
  tail: 'tail',
  since: 'since',
  previous: 'previous',
  follow: 'follow',
  timestamps: 'timestamps',
  wrap: 'wrap',
  q: 'q',
  regex: 'regex',
  caseSensitive: 'case',
  filter: 'filter',
  json: 'json',
};

/** Writes `changes` into a copy of `params`, leaving defaults out so URLs stay short. */
export function writeLogOptions(params: URLSearchParams, changes: Partial<LogViewOptions>): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const key of Object.keys(changes) as (keyof LogViewOptions)[]) {
    const value = changes[key];
    const name = PARAM_NAMES[key];
    if (value === undefined || value === null || value === DEFAULT_LOG_OPTIONS[key]) {
      next.delete(name);
    } else if (typeof value === 'boolean') {
      next.set(name, value ? '1' : '0');
    } else {
      next.set(name, value);
    }
  }
  return next;
}

function tailLines(tail: TailOption): number | undefined {
  return tail === 'all' ? undefined : Number(tail);
}

function sinceSeconds(since: SinceOption): number | undefined {
  return since === 'all' ? undefined : SINCE_SECONDS[since];
}

/** A followed stream cannot follow a previous instance: it has already terminated. */
export function effectiveFollow(options: LogViewOptions): boolean {
  return options.follow && !options.previous;
}

/** Query for the pod log WebSocket. On resume, `sinceTime` replaces tail/since (the server resumes from it). */
export function podStreamQuery(
  options: LogViewOptions,
  container: string | null,
  sinceTime: string | null,
): Record<string, QueryValue> {
  const follow = effectiveFollow(options);
  if (sinceTime !== null) {
    return { container, previous: options.previous, follow: true, sinceTime };
  }
  return {
    container,
    tailLines: tailLines(options.tail),
    sinceSeconds: sinceSeconds(options.since),
    previous: options.previous,
    follow,
  };
}

/** Query for the merged (workload / selector) log WebSocket. */
export function mergedStreamQuery(
  options: LogViewOptions,
  sinceTime: string | null,
): Record<string, QueryValue> {
  if (sinceTime !== null) return { sinceTime };
  return { tailLines: tailLines(options.tail), sinceSeconds: sinceSeconds(options.since) };
}

/** Query for the plain-text download: same lines as the view, timestamps as the toggle says. */
export function downloadQuery(options: LogViewOptions, container: string | null): Record<string, QueryValue> {
  return {
    container,
    tailLines: tailLines(options.tail),
    sinceSeconds: sinceSeconds(options.since),
    previous: options.previous,
    timestamps: options.timestamps,
    download: true,
  };
}

/** The options that decide which lines the server sends; a change means a new stream. */
export function streamIdentity(options: LogViewOptions, container: string | null): string {
  return JSON.stringify([container, options.tail, options.since, options.previous, effectiveFollow(options)]);
}
