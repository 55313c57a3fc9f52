// JSON fixtures of real pods (dumped from the local cluster) for the pure debug transforms.
import { readFileSync } from 'node:fs';
import type { Pod } from '../../src/shared/debug/types.js';

export function debugFixture(name: string): Pod {
  return JSON.parse(readFileSync(new URL(`../fixtures/debug/${name}.json`, import.meta.url), 'utf8')) as Pod;
}
