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

  it('reads the debug section: allowed images, node debug namespace, file cap; rejects bad ones', () => {
    const c = parseConfig({
      debug: {
        images: ['registry.example.com:5000/tools/debug:2.1', 'busybox@sha256:' + 'a'.repeat(64)],
        nodeDebugNamespace: 'node-debug',
        maxFileBytes: 1048576,
      },
    });
    assert.deepEqual(c.debug, {
      images: ['registry.example.com:5000/tools/debug:2.1', 'busybox@sha256:' + 'a'.repeat(64)],
      nodeDebugNamespace: 'node-debug',
      maxFileBytes: 1048576,
    });
    assert.deepEqual(parseConfig({ debug: {} }).debug, {});
    assert.throws(() => parseConfig({ debug: { images: [] } }), /debug\.images must be a list of 1 to 50/);
    assert.throws(
      () => parseConfig({ debug: { images: ['ok:1', 'Bad Image'] } }),
      /debug\.images\[1\] is not an image reference \(got "Bad Image"\)/,
    );
    assert.throws(
      () => parseConfig({ debug: { images: [42] } }),
      /debug\.images\[0\] is not an image reference/,
    );
    assert.throws(
      () => parseConfig({ debug: { nodeDebugNamespace: 'Kube_System' } }),
      /debug\.nodeDebugNamespace: Namespace name "Kube_System" is not valid/,
    );
    assert.throws(
      () => parseConfig({ debug: { maxFileBytes: -1 } }),
      /debug\.maxFileBytes must be a positive whole number/,
    );
    assert.throws(() => parseConfig({ debug: { podTtlMs: 5 } }), /debug has an unknown field "podTtlMs"/);
  });

  it('rejects unknown sections', () => {
    assert.throws(() => parseConfig({ execpolicy: {} }), /unknown config section "execpolicy"/);
    assert.throws(() => parseConfig([]), /must be a JSON object/);
  });

  it('reads the recording size cap, 256 MiB when absent', () => {
    assert.equal(DEFAULT_CONFIG.recording.maxBytes, 256 * 1024 * 1024);
    assert.deepEqual(parseConfig({ recording: {} }).recording, { maxBytes: 268435456 });
    assert.deepEqual(parseConfig({ recording: { maxBytes: 4096 } }).recording, { maxBytes: 4096 });
    assert.deepEqual(parseConfig({ recording: { maxBytes: 1024 } }).recording, { maxBytes: 1024 });
  });

  it('refuses a recording cap that is not a whole number of bytes of at least 1024, naming the field', () => {
    for (const bad of [1023, 0, -1, 1.5, '1GiB', null, Number.MAX_SAFE_INTEGER + 1]) {
      assert.throws(
        () => parseConfig({ recording: { maxBytes: bad } }),
        /^Error: recording\.maxBytes must be a whole number of bytes, at least 1024 \(got /,
        String(bad),
      );
    }
    assert.throws(
      () => parseConfig({ recording: { maxbytes: 1 } }),
      /recording has an unknown field "maxbytes"/,
    );
    assert.throws(() => parseConfig({ recording: 5 }), /recording must be an object/);
  });

  it('reads the database URL, and refuses one that is not postgresql:// without repeating it', () => {
    assert.equal(parseConfig({}).database.url, null);
    assert.equal(
      parseConfig({ database: { url: 'postgresql://podscope:s3cret@db:5432/podscope' } }).database.url,
      'postgresql://podscope:s3cret@db:5432/podscope',
    );
    assert.equal(parseConfig({ database: { url: 'postgres://u@h/d' } }).database.url, 'postgres://u@h/d');
    for (const bad of ['mysql://u:s3cret@h/d', 's3cret', '', 5, 'postgresql://u:s3cret@/d']) {
      assert.throws(
        () => parseConfig({ database: { url: bad } }),
        (err: Error) =>
          /^database\.url must be a URL such as postgresql:/.test(err.message) &&
          !err.message.includes('s3cret'),
        String(bad),
      );
    }
    assert.throws(() => parseConfig({ database: { uri: 'x' } }), /database has an unknown field "uri"/);
  });

  it('reads the audit retention in days, forever when absent', () => {
    assert.equal(parseConfig({}).audit.retentionDays, null);
    assert.equal(parseConfig({ audit: { retentionDays: 90 } }).audit.retentionDays, 90);
    for (const bad of [0, -1, 1.5, '90', 36_501]) {
      assert.throws(
        () => parseConfig({ audit: { retentionDays: bad } }),
        /^Error: audit\.retentionDays must be a whole number of days from 1 to 36500/,
        String(bad),
      );
    }
    assert.throws(() => parseConfig({ audit: { retentiondays: 1 } }), /audit has an unknown field/);
  });

  it('reads the auditor groups, none when absent, and refuses what is not a list of group names', () => {
    assert.deepEqual(parseConfig({}).audit.auditorGroups, []);
    assert.deepEqual(parseConfig({ audit: { retentionDays: 30 } }).audit, {
      retentionDays: 30,
      auditorGroups: [],
    });
    assert.deepEqual(
      parseConfig({ audit: { auditorGroups: ['platform-admins', 'system:serviceaccounts:audit'] } }).audit,
      { retentionDays: null, auditorGroups: ['platform-admins', 'system:serviceaccounts:audit'] },
    );
    for (const bad of ['platform-admins', { g: 1 }, Array.from({ length: 101 }, (_, i) => `g${i}`)]) {
      assert.throws(
        () => parseConfig({ audit: { auditorGroups: bad } }),
        /^Error: audit\.auditorGroups must be a list of at most 100 group names/,
        JSON.stringify(bad),
      );
    }
    for (const bad of [[''], [' admins'], ['admins '], ['a\nb'], [7], ['x'.repeat(257)]]) {
      assert.throws(
        () => parseConfig({ audit: { auditorGroups: bad } }),
        /^Error: audit\.auditorGroups: .* is not a group name/,
        JSON.stringify(bad),
      );
    }
    assert.throws(
      () => parseConfig({ audit: { auditorGroups: ['ops', 'ops'] } }),
      /audit\.auditorGroups names "ops" twice/,
    );
  });
});
