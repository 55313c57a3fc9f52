// Validation of the JSON bodies of the debug routes: only known fields, typed values, allowed images
// and profiles. Bad input → 400 with a sentence, before anything reaches Kubernetes.
import { DEBUG_PROFILES, isDebugProfile, type DebugProfile } from '../../shared/debug/profiles.js';
import { badRequest } from '../http/errors.js';
import { containerParam } from '../http/params.js';
import type { DebugConfig } from './debug-config.js';

export type Body = Record<string, unknown>;

/** The JSON body as an object with only the known fields. */
export function readBody(raw: unknown, allowed: readonly string[]): Body {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw badRequest('The request body must be a JSON object.');
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      throw badRequest(`Unknown field "${key.slice(0, 40)}"; this endpoint accepts: ${allowed.join(', ')}.`);
    }
  }
  return raw as Body;
}

export function optBool(body: Body, key: string, dflt = false): boolean {
  const v = body[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw badRequest(`"${key}" must be true or false.`);
  return v;
}

export function optUid(body: Body, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1) {
    throw badRequest(`"${key}" must be a whole number from 0 to ${2 ** 31 - 1}.`);
  }
  return v;
}

export function requiredName(body: Body, key: string): string {
  const v = body[key];
  if (typeof v !== 'string') throw badRequest(`"${key}" is required: the name of a container.`);
  return containerParam(v);
}

export function imageParam(config: DebugConfig, body: Body): string {
  const v = body['image'];
  if (v === undefined) return config.images[0]!;
  if (typeof v !== 'string' || !config.images.includes(v)) {
    throw badRequest(
      `Image ${JSON.stringify(String(v).slice(0, 100))} is not allowed for debugging; choose one of: ${config.images.join(', ')}.`,
    );
  }
  return v;
}

export function profileParam(config: DebugConfig, body: Body): DebugProfile {
  const v = body['profile'];
  if (v === undefined) return config.defaultProfile;
  if (!isDebugProfile(v)) {
    throw badRequest(
      `Profile ${JSON.stringify(String(v).slice(0, 40))} is unknown; choose one of: ${DEBUG_PROFILES.join(', ')}.`,
    );
  }
  return v;
}
