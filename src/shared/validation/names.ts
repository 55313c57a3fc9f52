// Validation of everything a user can put in a URL or query string, before it reaches Kubernetes or a log.
// Each validator returns a result instead of throwing, with an English sentence meant for the user.
// Rejected input is quoted with JSON.stringify (and shortened), so control characters in it stay visible
// and cannot forge lines in a log or the UI.

export type Validated<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Validated<T> => ({ ok: true, value });
const fail = <T>(error: string): Validated<T> => ({ ok: false, error });

/**
 * The rejected value, quoted and shortened for an error message. JSON.stringify escapes C0 controls but
 * not DEL, C1 controls (U+0085 breaks lines), U+2028/2029 or bidirectional overrides (U+202E reorders the
 * rest of the sentence), so those are escaped here too.
 */
export function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? value.slice(0, 64) + '…' : value).replace(
    /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A DNS-1123 label: what namespaces, container names and many other names must be. */
export function validateDns1123Label(value: string, what: string): Validated<string> {
  if (value === '') return fail(`${what} must not be empty.`);
  if (value.length > 63) return fail(`${what} must be at most 63 characters long (it has ${value.length}).`);
  if (!DNS1123_LABEL.test(value)) {
    return fail(
      `${what} ${quote(value)} is not valid: use only lower-case letters, digits and '-', starting and ending with a letter or digit.`,
    );
  }
  return ok(value);
}

/** A DNS-1123 subdomain: what pod, deployment and most object names must be. */
export function validateDns1123Subdomain(value: string, what: string): Validated<string> {
  if (value === '') return fail(`${what} must not be empty.`);
  if (value.length > 253)
    return fail(`${what} must be at most 253 characters long (it has ${value.length}).`);
  if (!DNS1123_SUBDOMAIN.test(value)) {
    return fail(
      `${what} ${quote(value)} is not valid: use only lower-case letters, digits, '-' and '.', with each dot-separated part starting and ending with a letter or digit.`,
    );
  }
  return ok(value);
}

export const validateNamespaceName = (value: string) => validateDns1123Label(value, 'Namespace name');
export const validatePodName = (value: string) => validateDns1123Subdomain(value, 'Pod name');
export const validateContainerName = (value: string) => validateDns1123Label(value, 'Container name');

// C0/C1 controls, line/paragraph separators and bidirectional overrides: invisible or reordering
// characters that could make one name look like another in the UI or the audit trail.
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * A kubeconfig context or cluster name. Kubernetes does not restrict these (EKS names them after ARNs such
 * as `arn:aws:eks:…:cluster/prod`), so this only refuses what is unsafe in a log or as a whole path
 * segment: '.' and '..', and invisible characters. The name is only ever looked up in a map, and URLs carry
 * it percent-encoded.
 */
export function validateContextName(value: string, what = 'Cluster name'): Validated<string> {
  if (value === '') return fail(`${what} must not be empty.`);
  if (value.length > 253)
    return fail(`${what} must be at most 253 characters long (it has ${value.length}).`);
  if (UNSAFE_CHARS.test(value))
    return fail(`${what} ${quote(value)} contains control or invisible characters.`);
  if (value === '.' || value === '..') return fail(`${what} must not be '.' or '..'.`);
  if (value.trim() !== value) return fail(`${what} ${quote(value)} must not start or end with a space.`);
  return ok(value);
}

// ---- Label selectors ------------------------------------------------------------------------------------

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const SELECTOR_MAX = 4096;

export interface LabelRequirement {
  key: string;
  operator: '=' | '!=' | 'in' | 'notin' | 'exists' | '!';
  values: string[];
}

/**
 * A label selector of the kinds kubectl accepts with `-l`: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
 * `a notin (x)`, `a`, `!a`, joined by commas. Anything else (including the numeric `>`/`<` forms) is
 * refused. On success `value` is the selector rewritten canonically, safe to pass to the API as-is.
 */
export function parseLabelSelector(
  raw: string,
): Validated<{ selector: string; requirements: LabelRequirement[] }> {
  if (raw.length > SELECTOR_MAX)
    return fail(`The label selector must be at most ${SELECTOR_MAX} characters long.`);
  if (UNSAFE_CHARS.test(raw)) return fail('The label selector contains control characters.');
  if (raw.trim() === '') return ok({ selector: '', requirements: [] });
  const requirements: LabelRequirement[] = [];
  for (const part of splitTopLevel(raw)) {
    const parsed = parseRequirement(part.trim());
    if (!parsed.ok) return parsed;
    requirements.push(parsed.value);
  }
  return ok({ selector: requirements.map(formatRequirement).join(','), requirements });
}

/** Splits on commas that are not inside a `( … )` value set. */
function splitTopLevel(raw: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '(') depth++;
    else if (raw[i] === ')') depth--;
    else if (raw[i] === ',' && depth === 0) {
      parts.push(raw.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(raw.slice(start));
  return parts;
}

// The forms are recognised with loose character classes; keys and values are then checked precisely,
// so an error can say which part is wrong.
const KEY = String.raw`([A-Za-z0-9_./-]+)`;
const SET_FORM = new RegExp(String.raw`^${KEY}\s+(in|notin)\s*\(([^()]*)\)$`);
const EQUALITY_FORM = new RegExp(String.raw`^${KEY}\s*(==|=|!=)\s*([A-Za-z0-9_.-]*)$`);
const NOT_EXISTS_FORM = new RegExp(String.raw`^!\s*${KEY}$`);
const EXISTS_FORM = new RegExp(String.raw`^${KEY}$`);

function parseRequirement(part: string): Validated<LabelRequirement> {
  if (part === '') return fail('The label selector has an empty requirement (check for a stray comma).');
  let m = SET_FORM.exec(part);
  if (m) {
    const values = m[3]!.split(',').map((v) => v.trim());
    if (values.some((v) => v === ''))
      return fail(`The value list in ${quote(part)} must not have empty entries.`);
    return withValidKeyAndValues({ key: m[1]!, operator: m[2] as 'in' | 'notin', values }, part);
  }
  m = EQUALITY_FORM.exec(part);
  if (m) {
    const operator = m[2] === '!=' ? '!=' : '=';
    return withValidKeyAndValues({ key: m[1]!, operator, values: [m[3]!] }, part);
  }
  m = NOT_EXISTS_FORM.exec(part);
  if (m) return withValidKeyAndValues({ key: m[1]!, operator: '!', values: [] }, part);
  m = EXISTS_FORM.exec(part);
  if (m) return withValidKeyAndValues({ key: m[1]!, operator: 'exists', values: [] }, part);
  return fail(
    `The label selector part ${quote(part)} is not understood. Use key=value, key!=value, key in (a,b), key notin (a,b), key or !key.`,
  );
}

function withValidKeyAndValues(req: LabelRequirement, part: string): Validated<LabelRequirement> {
  const keyError = labelKeyError(req.key);
  if (keyError) return fail(`In ${quote(part)}: ${keyError}`);
  for (const value of req.values) {
    if (value.length > 63)
      return fail(`In ${quote(part)}: a label value must be at most 63 characters long.`);
    if (value !== '' && !LABEL_NAME.test(value)) {
      return fail(
        `In ${quote(part)}: the label value ${quote(value)} must use only letters, digits, '-', '_' and '.', starting and ending with a letter or digit.`,
      );
    }
  }
  return ok(req);
}

function labelKeyError(key: string): string | null {
  const slash = key.indexOf('/');
  const prefix = slash === -1 ? null : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== null && !validateDns1123Subdomain(prefix, 'prefix').ok) {
    return `the label key prefix ${quote(prefix)} must be a DNS subdomain such as app.kubernetes.io.`;
  }
  if (name === '' || name.length > 63 || !LABEL_NAME.test(name)) {
    return `the label key ${quote(key)} must be at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit (optionally after a prefix and '/').`;
  }
  return null;
}

function formatRequirement(req: LabelRequirement): string {
  switch (req.operator) {
    case 'exists':
      return req.key;
    case '!':
      return `!${req.key}`;
    case 'in':
    case 'notin':
      return `${req.key} ${req.operator} (${req.values.join(',')})`;
    default:
      return `${req.key}${req.operator}${req.values[0] ?? ''}`;
  }
}

// ---- Query parameters -----------------------------------------------------------------------------------

/**
 * A whole number from a query string: digits only — no sign, exponent, decimal point, spaces, or leading
 * zeros — within [min, max]. A missing value is an error unless a default is given.
 */
export function parseIntParam(
  raw: string | undefined,
  opts: { name: string; min: number; max: number; default?: number },
): Validated<number> {
  if (raw === undefined || raw === '') {
    return opts.default !== undefined ? ok(opts.default) : fail(`${opts.name} is required.`);
  }
  if (!/^(0|[1-9][0-9]{0,14})$/.test(raw)) {
    return fail(`${opts.name} must be a whole number written with digits only (got ${quote(raw)}).`);
  }
  const value = Number(raw);
  if (value < opts.min || value > opts.max) {
    return fail(`${opts.name} must be between ${opts.min} and ${opts.max} (got ${value}).`);
  }
  return ok(value);
}

/** 'true'/'1' or 'false'/'0'. A missing value is an error unless a default is given. */
export function parseBoolParam(
  raw: string | undefined,
  opts: { name: string; default?: boolean },
): Validated<boolean> {
  if (raw === undefined || raw === '') {
    return opts.default !== undefined ? ok(opts.default) : fail(`${opts.name} is required.`);
  }
  if (raw === 'true' || raw === '1') return ok(true);
  if (raw === 'false' || raw === '0') return ok(false);
  return fail(`${opts.name} must be true or false (got ${quote(raw)}).`);
}

export const MAX_SINCE_SECONDS = 30 * 24 * 3600;

/**
 * How far back to read logs: 'all' (→ null), or a positive amount of seconds, minutes or hours such as
 * '90s', '5m', '1h', up to 30 days. Returns seconds.
 */
export function parseSinceParam(raw: string | undefined, name = 'since'): Validated<number | null> {
  if (raw === undefined || raw === '' || raw === 'all') return ok(null);
  const m = /^([1-9][0-9]{0,7})([smh])$/.exec(raw);
  if (!m) {
    return fail(
      `${name} must be 'all' or a positive number followed by s, m or h, such as 15m (got ${quote(raw)}).`,
    );
  }
  const seconds = Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
  if (seconds > MAX_SINCE_SECONDS) return fail(`${name} must be at most 30 days (720h).`);
  return ok(seconds);
}
