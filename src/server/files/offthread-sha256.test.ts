import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { offThreadSha256 } from './offthread-sha256.js';

const sha = (parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

describe('offThreadSha256', () => {
  it('gives the digest of everything updated, across batches and odd sizes', async () => {
    const parts = [1, 32 * 1024, 300 * 1024, 7, 256 * 1024, 0, 5000].map((n) => randomBytes(n));
    const h = offThreadSha256();
    for (const p of parts) h.update(p);
    assert.equal(await h.digest(), sha(parts));
  });

  it('keeps interleaved transfers apart, and views into larger buffers hash only their bytes', async () => {
    const big = randomBytes(600 * 1024);
    const a = [big.subarray(1, 100_001), big.subarray(200_000, 500_000)];
    const b = [randomBytes(3), randomBytes(400 * 1024)];
    const ha = offThreadSha256();
    const hb = offThreadSha256();
    ha.update(a[0]!);
    hb.update(b[0]!);
    ha.update(a[1]!);
    hb.update(b[1]!);
    const [da, db] = await Promise.all([ha.digest(), hb.digest()]);
    assert.equal(da, sha(a));
    assert.equal(db, sha(b));
    // The caller's buffers are untouched (only the batch's own copy is handed to the worker).
    assert.equal(big.length, 600 * 1024);
    assert.equal(a[0]!.length, 100_000);
  });

  it('an empty transfer has the digest of nothing', async () => {
    assert.equal(await offThreadSha256().digest(), sha([]));
  });
});
