// Reading fields of Kubernetes objects that arrive as untyped JSON. A missing or wrongly typed field reads
// as "absent" instead of throwing, because one odd object must not break a whole list.

export type JsonRecord = Record<string, unknown>;

const EMPTY: JsonRecord = Object.freeze({});

export function asRecord(value: unknown): JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : EMPTY;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A non-empty string, or null. Kubernetes omits or empties a field to mean the same thing. */
export function asString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function asNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function asBoolean(value: unknown): boolean {
  return value === true;
}

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
