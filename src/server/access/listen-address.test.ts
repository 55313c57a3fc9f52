import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkListenOptions, isLoopbackHost } from './listen-address.js';

describe('isLoopbackHost', () => {
  const cases: [string, boolean][] = [
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.1', false],
    ['192.168.1.10', false],
    ['::ffff:10.0.0.1', false],
    ['example.com', false],
    ['localhost.example.com', false],
    ['128.0.0.1', false],
  ];
  for (const [host, loopback] of cases) {
    test(`${host} → ${loopback ? 'loopback' : 'not loopback'}`, () =>
      assert.equal(isLoopbackHost(host), loopback));
  }
});

describe('checkListenOptions', () => {
  test('a loopback host starts without warnings', () => {
    assert.deepEqual(checkListenOptions({ host: '127.0.0.1', allowRemote: false, token: true }), {
      ok: true,
      warnings: [],
    });
  });

  test('a non-loopback host without --allow-remote is refused with a sentence', () => {
    const r = checkListenOptions({ host: '0.0.0.0', allowRemote: false, token: true });
    assert.equal(r.ok, false);
    assert.match(
      !r.ok ? r.error : '',
      /--host 0\.0\.0\.0 is not a loopback address.*kubeconfig's rights.*--allow-remote/,
    );
  });

  test('with --allow-remote it starts, warning who acts with the kubeconfig’s rights', () => {
    const r = checkListenOptions({ host: '0.0.0.0', allowRemote: true, token: true });
    assert.ok(r.ok);
    assert.equal(r.warnings.length, 1);
    assert.match(
      r.warnings[0]!,
      /whoever reaches this address and has the token acts .* kubeconfig's rights/,
    );
  });

  test('--no-token is warned about', () => {
    const r = checkListenOptions({ host: '127.0.0.1', allowRemote: false, token: false });
    assert.ok(r.ok);
    assert.match(r.warnings.join('\n'), /--no-token.*authenticating proxy/);
  });
});
