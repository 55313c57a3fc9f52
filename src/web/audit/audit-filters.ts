// The audit list's filters and page, kept in the page URL (so a filtered view can be shared), and
// turned into the API query. Pure.

import { SESSION_KINDS, type SessionKind } from '../../shared/audit/api.js';

export interface AuditFilters {
  user: string;
  cluster: string;
  namespace: string;
  pod: string;
  kind: SessionKind | '';
  /** RFC 3339 instants ('' = open-ended): from inclusive, to exclusive. */
  from: string;
  to: string;
  /** The nextCursor of the page before this one ('' = newest). */
  before: string;
  /** Page size, 1..500 as digits ('' = the default). */
  limit: string;
}

export const TEXT_FILTERS = ['user', 'cluster', 'namespace', 'pod'] as const;
export type TextFilter = (typeof TEXT_FILTERS)[number];

export const EMPTY_FILTERS: AuditFilters = {
  user: '',
  cluster: '',
  namespace: '',
  pod: '',
  kind: '',
  from: '',
  to: '',
  before: '',
  limit: '',
};

export const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

const KEYS = Object.keys(EMPTY_FILTERS) as (keyof AuditFilters)[];
const MAX_LENGTH = 256;

/** Reads the filters from the page's query; anything unusable is dropped rather than sent to the server. */
export function parseAuditFilters(params: URLSearchParams): AuditFilters {
  const out: AuditFilters = { ...EMPTY_FILTERS };
  for (const key of TEXT_FILTERS) out[key] = clean(params.get(key));
  const kind = params.get('kind') ?? '';
  out.kind = (SESSION_KINDS as readonly string[]).includes(kind) ? (kind as SessionKind) : '';
  out.from = instant(params.get('from'));
  out.to = instant(params.get('to'));
  out.before = clean(params.get('before'));
  const limit = clean(params.get('limit'));
  out.limit =
    /^\d{1,3}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= MAX_PAGE_SIZE
      ? String(Number(limit))
      : '';
  return out;
}

/** The page query for these filters (empty ones left out), in a stable order. */
export function auditFiltersToParams(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    const value = filters[key].trim();
    if (value !== '') params.set(key, value);
  }
  return params;
}

/** The API query: the same names, always with a page size. */
export function auditApiQuery(filters: AuditFilters): Record<string, string | number> {
  const query: Record<string, string | number> = {};
  for (const key of KEYS) {
    const value = filters[key].trim();
    if (value !== '') query[key] = value;
  }
  query['limit'] = filters.limit === '' ? DEFAULT_PAGE_SIZE : Number(filters.limit);
  return query;
}

/** New filters start again at the newest page (the page size stays). */
export function withFilters(current: AuditFilters, change: Partial<AuditFilters>): AuditFilters {
  return { ...current, ...change, before: change.before ?? '' };
}

export function hasFilters(filters: AuditFilters): boolean {
  return KEYS.some((key) => key !== 'before' && key !== 'limit' && filters[key] !== '');
}

function clean(value: string | null): string {
  const v = (value ?? '').trim();
  return v.length > MAX_LENGTH ? '' : v;
}

function instant(value: string | null): string {
  const v = clean(value);
  if (v === '' || Number.isNaN(Date.parse(v))) return '';
  return new Date(v).toISOString();
}

/**
 * `<input type="datetime-local">` speaks local wall-clock time ("2025-03-01T14:05"); the URL and the
 * API speak instants. These convert between the two in the browser's time zone.
 */
export function instantToLocalInput(iso: string): string {
  if (iso === '') return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function localInputToInstant(local: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) return '';
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}
