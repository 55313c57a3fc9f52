// Headers every response carries. The Content-Security-Policy allows only this server's own scripts,
// styles, images, connections and workers, and no framing. Two allowances the built app needs (checked in
// dist/web and by the browser tests, which fail on any CSP violation):
// - style-src 'unsafe-inline': xterm.js writes its theme and cell sizes into <style> elements it creates;
// - script-src 'wasm-unsafe-eval': the audit replay (asciinema-player) compiles its terminal emulator from
//   an embedded WebAssembly module. This permits compiling WebAssembly only, not eval() of JavaScript.
import { parseHostAndPort } from './host-allowlist.js';

/** `host` is the request's Host header; it is only used once the host allowlist accepted it. */
export function securityHeaders(host: string | undefined): Record<string, string> {
  const parsed = host === undefined ? null : parseHostAndPort(host);
  // Rebuilt from the parsed parts, so nothing but a host name and port can reach the header.
  const self =
    parsed === null
      ? null
      : `${parsed.name.includes(':') ? `[${parsed.name}]` : parsed.name}${parsed.port === null ? '' : `:${parsed.port}`}`;
  const connect = self === null ? "'self'" : `'self' ws://${self} wss://${self}`;
  const csp = [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    // The log search's Web Worker, a script of this server's (without this, worker-src falls back to
    // script-src; said explicitly so that tightening script-src cannot break it unnoticed).
    "worker-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src ${connect}`,
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    // Other sites' pages cannot even embed a response (<script src>, <img src>) of this server.
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}
