// Terminal input as the binary frames the server accepts. Pure.

import { MAX_FRAME_BYTES } from '../../shared/terminal/api.js';

const encoder = new TextEncoder();

/**
 * UTF-8 frames of at most `max` bytes (a large paste is split; the server refuses bigger frames).
 * Splits never fall inside a character, so each frame is valid UTF-8 on its own.
 */
export function inputFrames(text: string, max = MAX_FRAME_BYTES): Uint8Array[] {
  const bytes = encoder.encode(text);
  if (bytes.length <= max) return bytes.length ? [bytes] : [];
  const frames: Uint8Array[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + max, bytes.length);
    // Back up over continuation bytes (10xxxxxx) so the cut falls before a lead byte.
    if (end < bytes.length) while (end > start && ((bytes[end] as number) & 0xc0) === 0x80) end--;
    frames.push(bytes.subarray(start, end));
    start = end;
  }
  return frames;
}

/** xterm's onBinary gives a "binary string" (one char per byte, e.g. mouse reports): its bytes. */
export function binaryStringBytes(data: string): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data.charCodeAt(i) & 0xff;
  return out;
}
