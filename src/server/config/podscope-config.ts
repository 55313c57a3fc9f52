// The optional config file (`podscope --config podscope.json`). JSON, so no parser dependency; unknown
// top-level sections are rejected, because a misspelt security setting must not be silently ignored.
import { readFileSync } from 'node:fs';
import {
  DEFAULT_EXEC_POLICY_CONFIG,
  parseExecPolicyConfig,
  type ExecPolicyConfig,
} from '../policy/exec-policy.js';
import { DEFAULT_LIMITS, resolveLimits, type Limits } from './limits.js';
import { parseDebugConfigSection, type DebugConfigSection } from '../debug/debug-config.js';

export interface RecordingConfig {
  /**
   * Size cap of one session recording, in bytes. At the cap the recording stops (the session goes on),
   * the browser is told, and the audit record marks the recording as cut short.
   */
  maxBytes: number;
}

export interface PodscopeConfig {
  execPolicy: ExecPolicyConfig;
  recording: RecordingConfig;
  limits: Limits;
  /** Debug images, the node debug namespace, the file transfer cap; the rest keeps its defaults. */
  debug: DebugConfigSection;
}

export const DEFAULT_RECORDING_MAX_BYTES = 256 * 1024 * 1024;
/** Below this a recording would hold little more than its header. */
export const MIN_RECORDING_MAX_BYTES = 1024;

export const DEFAULT_RECORDING_CONFIG: RecordingConfig = { maxBytes: DEFAULT_RECORDING_MAX_BYTES };

export const DEFAULT_CONFIG: PodscopeConfig = {
  execPolicy: DEFAULT_EXEC_POLICY_CONFIG,
  recording: DEFAULT_RECORDING_CONFIG,
  limits: DEFAULT_LIMITS,
  debug: {},
};

export function parseConfig(raw: unknown): PodscopeConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error('the config must be a JSON object');
  }
  const sections = ['execPolicy', 'recording', 'limits', 'debug'];
  for (const key of Object.keys(raw)) {
    if (!sections.includes(key)) {
      throw new Error(`unknown config section "${key}" (known: ${sections.join(', ')})`);
    }
  }
  const obj = raw as Record<string, unknown>;
  return {
    execPolicy: parseExecPolicyConfig(obj['execPolicy']),
    recording: parseRecordingConfig(obj['recording']),
    limits: resolveLimits(obj['limits'] ?? {}),
    debug: parseDebugConfigSection(obj['debug']),
  };
}

/** The `recording` section: `{ "maxBytes": 268435456 }` (a whole number of bytes, at least 1024). */
export function parseRecordingConfig(raw: unknown, where = 'recording'): RecordingConfig {
  if (raw === undefined) return DEFAULT_RECORDING_CONFIG;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error(`${where} must be an object`);
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (key !== 'maxBytes') throw new Error(`${where} has an unknown field "${key}" (allowed: maxBytes)`);
  }
  const maxBytes = obj['maxBytes'];
  if (maxBytes === undefined) return DEFAULT_RECORDING_CONFIG;
  if (typeof maxBytes !== 'number' || !Number.isSafeInteger(maxBytes) || maxBytes < MIN_RECORDING_MAX_BYTES) {
    throw new Error(
      `${where}.maxBytes must be a whole number of bytes, at least ${MIN_RECORDING_MAX_BYTES} (got ${JSON.stringify(maxBytes)})`,
    );
  }
  return { maxBytes };
}

/** Reads and validates the file; the error names the file and what is wrong in it. */
export function loadConfig(path: string): PodscopeConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the config file ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseConfig(raw);
  } catch (err) {
    throw new Error(`invalid config file ${path}: ${(err as Error).message}`, { cause: err });
  }
}
