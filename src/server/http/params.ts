// Request validation for every route: names, query parameters. Bad input → 400 with a sentence,
// before anything reaches Kubernetes.
import {
  parseBoolParam,
  parseIntParam,
  parseLabelSelector,
  parseSinceParam,
  validateContainerName,
  validateContextName,
  validateDns1123Subdomain,
  validateNamespaceName,
  validatePodName,
  type Validated,
} from '../../shared/validation/names.js';
import { badRequest } from './errors.js';

function must<T>(v: Validated<T>): T {
  if (!v.ok) throw badRequest(v.error);
  return v.value;
}

export type RawQuery = Record<string, unknown>;

/** Query parameters as single strings; unknown or repeated parameters are rejected. */
export function readQuery(raw: unknown, allowed: readonly string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries((raw ?? {}) as RawQuery)) {
    if (!allowed.includes(key)) {
      throw badRequest(
        allowed.length
          ? `Unknown query parameter "${key.slice(0, 40)}"; this endpoint accepts: ${allowed.join(', ')}.`
          : `This endpoint takes no query parameters (got "${key.slice(0, 40)}").`,
      );
    }
    if (typeof value !== 'string') throw badRequest(`Query parameter "${key}" must be given once.`);
    out[key] = value;
  }
  return out;
}

export const clusterParam = (v: string) => must(validateContextName(v, 'Cluster name'));
export const namespaceParam = (v: string) => must(validateNamespaceName(v));
export const podParam = (v: string) => must(validatePodName(v));
export const containerParam = (v: string) => must(validateContainerName(v));
export const objectNameParam = (v: string, what: string) => must(validateDns1123Subdomain(v, what));
export const selectorParam = (v: string) => must(parseLabelSelector(v)).selector;
export const intParam = (raw: string | undefined, name: string, min: number, max: number) =>
  raw === undefined ? undefined : must(parseIntParam(raw, { name, min, max }));
export const boolParam = (raw: string | undefined, name: string, dflt: boolean) =>
  must(parseBoolParam(raw, { name, default: dflt }));
export const sinceParam = (raw: string | undefined, name: string) => must(parseSinceParam(raw, name));

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
export function timeParam(raw: string | undefined, name: string): string | undefined {
  if (raw === undefined) return undefined;
  if (!RFC3339.test(raw) || Number.isNaN(Date.parse(raw))) {
    throw badRequest(
      `${name} must be an RFC 3339 time such as 2026-01-31T12:00:00Z (got "${raw.slice(0, 40)}").`,
    );
  }
  return raw;
}
