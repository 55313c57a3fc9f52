import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConnectionSlots } from './connection-slots.js';

describe('connection slots', () => {
  test('grants up to the limit, then in arrival order as slots are released', async () => {
    const slots = new ConnectionSlots(2);
    const a = await slots.acquire();
    const b = await slots.acquire();
    const order: string[] = [];
    const c = slots.acquire().then((r) => (order.push('c'), r));
    const d = slots.acquire().then((r) => (order.push('d'), r));
    assert.equal(slots.waiting, 2);
    a();
    a(); // a second release of the same slot frees nothing more
    await c;
    assert.deepEqual(order, ['c']);
    assert.equal(slots.inUse, 2);
    b();
    (await d)();
    (await c)();
    assert.equal(slots.inUse, 0);
  });

  test('an aborted waiter leaves the queue at once and never takes a slot', async () => {
    const slots = new ConnectionSlots(1);
    const held = await slots.acquire();
    const ctl = new AbortController();
    const waiting = slots.acquire(ctl.signal);
    ctl.abort();
    await assert.rejects(waiting, { name: 'AbortError' });
    assert.equal(slots.waiting, 0);
    held();
    assert.equal(slots.inUse, 0);
    await assert.rejects(slots.acquire(ctl.signal), { name: 'AbortError' });
  });

  test('rejects a limit that is not a positive integer', () => {
    assert.throws(() => new ConnectionSlots(0), RangeError);
  });
});
