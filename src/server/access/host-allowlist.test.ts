import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildHostAllowlist,
  describeAllowedHosts,
  isAllowedHostHeader,
  isAllowedOrigin,
  parseHostAndPort,
} from './host-allowlist.js';

describe('parseHostAndPort', () => {
  const cases: [string, ReturnType<typeof parseHostAndPort>][] = [
    ['localhost:7420', { name: 'localhost', port: 7420 }],
    ['LocalHost', { name: 'localhost', port: null }],
    ['127.0.0.1:80', { name: '127.0.0.1', port: 80 }],
    ['[::1]:7420', { name: '::1', port: 7420 }],
    ['[::1]', { name: '::1', port: null }],
    ['podscope.example.com.', { name: 'podscope.example.com', port: null }],
    ['::1', null], // IPv6 must be bracketed
    ['', null],
    ['a:0', null],
    ['a:65536', null],
    ['a:b', null],
    ['user@host', null],
    ['host/path', null],
    ['two words', null],
  ];
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(parseHostAndPort(input), expected);
    });
  }
});

describe('Host header allowlist (DNS rebinding)', () => {
  const allow = buildHostAllowlist({
    bindHost: '127.0.0.1',
    allowedHosts: ['podscope.internal', 'proxy.example:8443'],
  });
  const cases: [string | undefined, boolean][] = [
    ['127.0.0.1:7420', true],
    ['localhost:7420', true],
    ['LOCALHOST:7420', true],
    ['[::1]:7420', true],
    ['127.0.0.1:7421', false], // another local service's port
    ['127.0.0.1', false], // no port means 80
    ['attacker.example:7420', false], // rebinding: the browser sends the attacker's name
    ['localhost.attacker.example:7420', false],
    ['podscope.internal', true], // configured without a port: any port
    ['podscope.internal:9999', true],
    ['proxy.example:8443', true],
    ['proxy.example:443', false], // configured with a port: only that one
    ['proxy.example', false],
    [undefined, false],
    ['', false],
  ];
  for (const [host, ok] of cases) {
    test(`Host ${JSON.stringify(host)} → ${ok ? 'allowed' : 'refused'}`, () => {
      assert.equal(isAllowedHostHeader(allow, host, 7420), ok);
    });
  }

  test('a server on port 80 is reached without a port in Host', () => {
    assert.equal(isAllowedHostHeader(allow, 'localhost', 80), true);
  });

  test('the bind address is allowed with the port', () => {
    const a = buildHostAllowlist({ bindHost: '10.1.2.3' });
    assert.equal(isAllowedHostHeader(a, '10.1.2.3:7420', 7420), true);
    assert.equal(isAllowedHostHeader(a, '10.1.2.4:7420', 7420), false);
    const v6 = buildHostAllowlist({ bindHost: '[fd00::1]' });
    assert.equal(isAllowedHostHeader(v6, '[fd00::1]:7420', 7420), true);
  });

  test('a wildcard bind allows the interface addresses, never the wildcard itself as a name', () => {
    const a = buildHostAllowlist({ bindHost: '0.0.0.0', interfaceAddresses: ['10.0.0.5', 'fe80::1'] });
    assert.equal(isAllowedHostHeader(a, '10.0.0.5:7420', 7420), true);
    assert.equal(isAllowedHostHeader(a, '[fe80::1]:7420', 7420), true);
    assert.equal(isAllowedHostHeader(a, '0.0.0.0:7420', 7420), false);
    assert.equal(isAllowedHostHeader(a, 'myhost:7420', 7420), false);
  });

  test('a malformed --allowed-host is refused with a sentence', () => {
    assert.throws(
      () => buildHostAllowlist({ bindHost: '127.0.0.1', allowedHosts: ['http://x/'] }),
      /--allowed-host "http:\/\/x\/" is not a host/,
    );
  });

  test('the names are listed for the refusal sentence', () => {
    assert.deepEqual(describeAllowedHosts(allow, 7420), [
      'localhost:7420',
      '127.0.0.1:7420',
      '[::1]:7420',
      'podscope.internal',
      'proxy.example:8443',
    ]);
  });
});

describe('Origin allowlist', () => {
  const allow = buildHostAllowlist({ bindHost: '127.0.0.1', allowedHosts: ['podscope.internal'] });
  const cases: [string, boolean][] = [
    ['http://127.0.0.1:7420', true],
    ['http://localhost:7420', true],
    ['http://[::1]:7420', true],
    ['https://podscope.internal', true], // behind a TLS proxy
    ['http://127.0.0.1:7421', false],
    ['http://127.0.0.1', false],
    ['https://evil.example', false],
    ['http://evil.example:7420', false],
    ['null', false], // sandboxed frames, file://
    ['file://', false],
    ['chrome-extension://abc', false],
    ['not a url', false],
  ];
  for (const [origin, ok] of cases) {
    test(`Origin ${origin} → ${ok ? 'allowed' : 'refused'}`, () => {
      assert.equal(isAllowedOrigin(allow, origin, 7420), ok);
    });
  }

  test('explicitly configured origins are allowed as given', () => {
    assert.equal(isAllowedOrigin(allow, 'http://localhost:5173', 7420), false);
    assert.equal(isAllowedOrigin(allow, 'http://localhost:5173', 7420, ['http://localhost:5173']), true);
  });

  test('it never compares with the request’s own Host: a rebound page’s origin is still foreign', () => {
    // The attacker's page at http://attacker.example:7420 resolving to 127.0.0.1 sends Host and Origin
    // that agree with each other; only the allowlist knows they are not ours.
    assert.equal(isAllowedOrigin(allow, 'http://attacker.example:7420', 7420), false);
  });
});
