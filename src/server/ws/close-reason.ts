// A WebSocket close frame carries at most 123 bytes of reason (RFC 6455 §5.5: control frames have at most
// 125 bytes of payload, 2 of which are the code), and `ws` throws on a longer one. Error sentences name
// containers, paths and RBAC messages, so a reason built from one is cut here, by UTF-8 bytes.
import type { WebSocket } from 'ws';

export const MAX_CLOSE_REASON_BYTES = 123;
const ELLIPSIS = '…'; // 3 bytes in UTF-8
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `text` cut on a character boundary so that it fits in a close frame, marked with '…' when cut. A lone
 * surrogate (which has no UTF-8 form) becomes U+FFFD, as it would on the wire anyway.
 */
export function closeReason(text: string): string {
  const whole = text.replace(LONE_SURROGATE, '\uFFFD');
  if (Buffer.byteLength(whole, 'utf8') <= MAX_CLOSE_REASON_BYTES) return whole;
  const budget = MAX_CLOSE_REASON_BYTES - Buffer.byteLength(ELLIPSIS, 'utf8');
  let used = 0;
  let out = '';
  // for…of walks code points, so a surrogate pair is never split.
  for (const ch of whole) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (used + size > budget) break;
    used += size;
    out += ch;
  }
  return out + ELLIPSIS;
}

/**
 * Closes `ws` with `code` and a reason cut to fit. Never throws: a socket that cannot be closed politely
 * (bad state, invalid code) is terminated instead, so no request can take the server down while closing.
 */
export function closeSocket(ws: WebSocket, code: number, reason = ''): void {
  try {
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, closeReason(reason));
  } catch {
    try {
      ws.terminate();
    } catch {
      // Already gone.
    }
  }
}
