import assert from 'node:assert/strict';
import { test } from 'node:test';
import { securityHeaders } from './security-headers.js';

test('the security headers, with connect-src naming the same host for WebSockets', () => {
  const h = securityHeaders('127.0.0.1:7420');
  assert.equal(h['X-Frame-Options'], 'DENY');
  assert.equal(h['Referrer-Policy'], 'no-referrer');
  assert.equal(h['X-Content-Type-Options'], 'nosniff');
  const csp = Object.fromEntries(
    h['Content-Security-Policy']!.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]),
  );
  assert.deepEqual(csp, {
    'default-src': "'self'",
    'script-src': "'self' 'wasm-unsafe-eval'",
    'worker-src': "'self'",
    'style-src': "'self' 'unsafe-inline'",
    'img-src': "'self' data:",
    'connect-src': "'self' ws://127.0.0.1:7420 wss://127.0.0.1:7420",
    'object-src': "'none'",
    'frame-ancestors': "'none'",
    'base-uri': "'none'",
    'form-action': "'self'",
  });
});

test('IPv6 hosts are bracketed; nothing but a host and port reaches the header', () => {
  assert.match(
    securityHeaders('[::1]:7420')['Content-Security-Policy']!,
    /connect-src 'self' ws:\/\/\[::1\]:7420 wss:/,
  );
  assert.match(securityHeaders('x; script-src *')['Content-Security-Policy']!, /connect-src 'self'; /);
  assert.match(securityHeaders(undefined)['Content-Security-Policy']!, /connect-src 'self'; /);
});
