// The optional config file (`podscope --config podscope.json`). JSON, so no parser dependency; unknown
// top-level sections are rejected, because a misspelt security setting must not be silently ignored.
import { readFileSync } from 'node:fs';
import {
  DEFAULT_EXEC_POLICY_CONFIG,
  parseExecPolicyConfig,
  type ExecPolicyConfig,
} from '../terminal/policy/exec-policy.js';
import { DEFAULT_LIMITS, resolveLimits, type Limits } from './limits.js';

export interface PodscopeConfig {
  execPolicy: ExecPolicyConfig;
  limits: Limits;
}

export const DEFAULT_CONFIG: PodscopeConfig = {
  execPolicy: DEFAULT_EXEC_POLICY_CONFIG,
  limits: DEFAULT_LIMITS,
};

export function parseConfig(raw: unknown): PodscopeConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error('the config must be a JSON object');
  }
  const sections = ['execPolicy', 'limits'];
  for (const key of Object.keys(raw)) {
    if (!sections.includes(key)) {
      throw new Error(`unknown config section "${key}" (known: ${sections.join(', ')})`);
    }
  }
  const obj = raw as Record<string, unknown>;
  return {
    execPolicy: parseExecPolicyConfig(obj['execPolicy']),
    limits: resolveLimits(obj['limits'] ?? {}),
  };
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
