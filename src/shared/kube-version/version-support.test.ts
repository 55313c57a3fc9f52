import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseServerVersion, versionSupport } from './version-support.js';

test('reads major/minor, including the "+" managed offerings append', () => {
  assert.deepEqual(parseServerVersion({ major: '1', minor: '37', gitVersion: 'v1.37.2' }), {
    major: 1,
    minor: 37,
  });
  assert.deepEqual(parseServerVersion({ major: '1', minor: '36+', gitVersion: 'v1.36.3-gke.1' }), {
    major: 1,
    minor: 36,
  });
});

test('falls back to gitVersion when major/minor are missing or odd', () => {
  assert.deepEqual(parseServerVersion({ major: '', minor: '', gitVersion: 'v1.35.4-eks-abc' }), {
    major: 1,
    minor: 35,
  });
  assert.equal(parseServerVersion({ gitVersion: 'weird' }), null);
  assert.equal(parseServerVersion({}), null);
});

test('1.35, 1.36 and 1.37 are supported, without a warning', () => {
  for (const minor of ['35', '36', '37']) {
    const s = versionSupport({ major: '1', minor, gitVersion: `v1.${minor}.0` });
    assert.equal(s.state, 'supported');
    assert.equal(s.warning, null);
  }
});

test('older and newer versions get a warning that names the version and the range', () => {
  const old = versionSupport({ major: '1', minor: '34', gitVersion: 'v1.34.4' });
  assert.equal(old.state, 'too-old');
  assert.match(old.warning ?? '', /v1\.34\.4 is older .*1\.35–1\.37/);
  const next = versionSupport({ major: '1', minor: '38', gitVersion: 'v1.38.0' });
  assert.equal(next.state, 'too-new');
  assert.match(next.warning ?? '', /v1\.38\.0 is newer/);
  const two = versionSupport({ major: '2', minor: '0', gitVersion: 'v2.0.0' });
  assert.equal(two.state, 'too-new');
});

test('an unreadable answer is "unknown", with a warning', () => {
  const s = versionSupport({ gitVersion: 'dev' });
  assert.equal(s.state, 'unknown');
  assert.match(s.warning ?? '', /did not report a version/);
});
