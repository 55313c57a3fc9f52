import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnswerCache } from './answer-cache.js';

function clock() {
  let t = 1_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('AnswerCache', () => {
  it('answers from the cache within the time limit, and asks again after it', async () => {
    const c = clock();
    const cache = new AnswerCache<number>(10_000, 10, c.now);
    let calls = 0;
    const ask = async () => ++calls;
    assert.equal(await cache.get('k', ask), 1);
    c.advance(9_999);
    assert.equal(await cache.get('k', ask), 1);
    c.advance(1);
    assert.equal(await cache.get('k', ask), 2);
  });

  it('shares one call between concurrent askers', async () => {
    const cache = new AnswerCache<string>(10_000, 10);
    let calls = 0;
    let release!: (v: string) => void;
    const ask = () => {
      calls += 1;
      return new Promise<string>((r) => (release = r));
    };
    const a = cache.get('k', ask);
    const b = cache.get('k', ask);
    release('yes');
    assert.deepEqual(await Promise.all([a, b]), ['yes', 'yes']);
    assert.equal(calls, 1);
  });

  it('keeps answers of different keys apart (one identity never gets another one’s answer)', async () => {
    const cache = new AnswerCache<string>(10_000, 10);
    assert.equal(await cache.get('alice\0get pods', async () => 'alice-yes'), 'alice-yes');
    assert.equal(await cache.get('bob\0get pods', async () => 'bob-no'), 'bob-no');
    assert.equal(await cache.get('alice\0get pods', async () => 'asked again'), 'alice-yes');
  });

  it('forgets a failed answer, so the next asker asks again', async () => {
    const cache = new AnswerCache<string>(10_000, 10);
    await assert.rejects(
      cache.get('k', async () => {
        throw new Error('API server down');
      }),
      /API server down/,
    );
    await new Promise((r) => setImmediate(r));
    assert.equal(cache.size, 0);
    assert.equal(await cache.get('k', async () => 'back'), 'back');
  });

  it('is bounded: beyond its size the least recently used entry goes', async () => {
    const cache = new AnswerCache<string>(10_000, 2);
    await cache.get('a', async () => 'a1');
    await cache.get('b', async () => 'b1');
    await cache.get('a', async () => 'a2'); // a is now the most recent
    await cache.get('c', async () => 'c1'); // evicts b
    assert.equal(cache.size, 2);
    assert.equal(await cache.get('a', async () => 'a3'), 'a1');
    assert.equal(await cache.get('b', async () => 'b2'), 'b2');
  });

  it('refuses a cache without room', () => {
    assert.throws(() => new AnswerCache(1, 0), /at least one entry/);
  });
});
