import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_LIMITS } from './limits.js';
import { DEFAULT_CONFIG, loadConfig, parseConfig } from './podscope-config.js';

const dir = mkdtempSync(join(tmpdir(), 'podscope-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('config file', () => {
  it('loads a valid file', () => {
    const file = join(dir, 'ok.json');
    writeFileSync(
      file,
      JSON.stringify({ execPolicy: { rules: [{ namespace: 'prod', policy: 'no-exec' }] } }),
    );
    assert.deepEqual(loadConfig(file).execPolicy.rules, [{ namespace: 'prod', policy: 'no-exec' }]);
  });

  it('defaults everything for an empty object', () => {
    assert.deepEqual(parseConfig({}), DEFAULT_CONFIG);
  });

  it('names the file and the problem', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"execPolicy": {"rules": [{"policy": "maybe"}]}}');
    assert.throws(
      () => loadConfig(file),
      /invalid config file .*bad\.json: execPolicy\.rules\[0\]\.policy must be one of/,
    );
    writeFileSync(file, '{not json');
    assert.throws(() => loadConfig(file), /cannot read the config file .*bad\.json/);
    assert.throws(() => loadConfig(join(dir, 'missing.json')), /cannot read the config file .*ENOENT/);
  });

  it('reads limits, defaulting the ones not given, and rejects bad or misspelt ones', () => {
    const c = parseConfig({ limits: { mergedLogSources: 10, kubeStreamConnections: 32 } });
    assert.deepEqual(c.limits, { ...DEFAULT_LIMITS, mergedLogSources: 10, kubeStreamConnections: 32 });
    assert.throws(
      () => parseConfig({ limits: { mergedLogSources: 0 } }),
      /limits\.mergedLogSources must be a positive integer/,
    );
    assert.throws(() => parseConfig({ limits: { mergedLogsources: 5 } }), /unknown limit "mergedLogsources"/);
    assert.throws(() => parseConfig({ limits: [] }), /limits must be an object/);
  });

  it('rejects unknown sections', () => {
    assert.throws(() => parseConfig({ execpolicy: {} }), /unknown config section "execpolicy"/);
    assert.throws(() => parseConfig([]), /must be a JSON object/);
  });
});
