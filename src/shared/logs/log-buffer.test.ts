import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LOG_BUFFER_CAPACITY, LogBuffer } from './log-buffer.js';

function contents<T>(buffer: LogBuffer<T>): (T | undefined)[] {
  return Array.from({ length: buffer.length }, (_, i) => buffer.get(i));
}

function filtered<T>(buffer: LogBuffer<T>): (T | undefined)[] {
  return Array.from({ length: buffer.filteredLength }, (_, i) => buffer.filteredGet(i));
}

describe('LogBuffer', () => {
  test('holds appended lines in order', () => {
    const b = new LogBuffer<string>(10);
    b.append(['a', 'b']);
    b.append(['c']);
    assert.equal(b.length, 3);
    assert.deepEqual(contents(b), ['a', 'b', 'c']);
    assert.equal(b.droppedCount, 0);
  });

  test('drops the oldest lines once full and counts them', () => {
    const b = new LogBuffer<number>(3);
    b.append([1, 2]);
    b.append([3, 4]);
    b.append([5]);
    assert.deepEqual(contents(b), [3, 4, 5]);
    assert.equal(b.droppedCount, 2);
  });

  test('keeps only the newest lines of a single append larger than the capacity', () => {
    const b = new LogBuffer<number>(3);
    b.append([0]);
    b.append([1, 2, 3, 4, 5]);
    assert.deepEqual(contents(b), [3, 4, 5]);
    assert.equal(b.droppedCount, 3);
    b.append([6]);
    assert.deepEqual(contents(b), [4, 5, 6]);
  });

  test('returns undefined outside the held range', () => {
    const b = new LogBuffer<string>(2);
    b.append(['a', 'b', 'c']);
    assert.equal(b.get(-1), undefined);
    assert.equal(b.get(2), undefined);
    assert.equal(b.get(0.5), undefined);
    assert.equal(b.filteredGet(5), undefined);
  });

  test('without a filter, the filtered view is the whole buffer', () => {
    const b = new LogBuffer<string>(5);
    b.append(['a', 'b']);
    assert.equal(b.hasFilter, false);
    assert.deepEqual(filtered(b), ['a', 'b']);
    assert.equal(b.filteredPosition(1), 1);
  });

  test('filters existing lines and then new lines as they arrive', () => {
    const b = new LogBuffer<string>(100);
    b.append(['error 1', 'info', 'error 2']);
    b.setFilter((l) => l.startsWith('error'));
    assert.deepEqual(filtered(b), ['error 1', 'error 2']);
    b.append(['info', 'error 3']);
    assert.deepEqual(filtered(b), ['error 1', 'error 2', 'error 3']);
    assert.equal(b.filteredPosition(2), 4);
  });

  test('calls the filter once per appended line, not once per line held', () => {
    const b = new LogBuffer<number>(1000);
    b.append(Array.from({ length: 500 }, (_, i) => i));
    let calls = 0;
    b.setFilter((n) => (calls++, n % 2 === 0));
    assert.equal(calls, 500);
    b.append([1000, 1001]);
    assert.equal(calls, 502);
  });

  test('drops filtered entries together with their lines', () => {
    const b = new LogBuffer<number>(4);
    b.setFilter((n) => n % 2 === 0);
    b.append([0, 1, 2, 3, 4, 5]);
    assert.deepEqual(contents(b), [2, 3, 4, 5]);
    assert.deepEqual(filtered(b), [2, 4]);
    assert.deepEqual([b.filteredPosition(0), b.filteredPosition(1)], [0, 2]);
  });

  test('removing the filter shows everything again', () => {
    const b = new LogBuffer<number>(4);
    b.append([1, 2, 3]);
    b.setFilter(() => false);
    assert.equal(b.filteredLength, 0);
    b.setFilter(null);
    assert.deepEqual(filtered(b), [1, 2, 3]);
  });

  test('clear empties the buffer and resets the dropped count', () => {
    const b = new LogBuffer<number>(2);
    b.setFilter(() => true);
    b.append([1, 2, 3]);
    b.clear();
    assert.equal(b.length, 0);
    assert.equal(b.filteredLength, 0);
    assert.equal(b.droppedCount, 0);
    b.append([9]);
    assert.deepEqual(filtered(b), [9]);
  });

  test('agrees with a plain array model under random appends and filter changes', () => {
    let seed = 99;
    const random = () => (seed = (Math.imul(seed, 48271) + 11) >>> 0) / 4294967296;
    for (let round = 0; round < 50; round++) {
      const capacity = 1 + Math.floor(random() * 40);
      const b = new LogBuffer<number>(capacity);
      let model: number[] = [];
      let dropped = 0;
      let counter = 0;
      let modulus: number | null = null;
      for (let step = 0; step < 200; step++) {
        if (random() < 0.1) {
          modulus = random() < 0.3 ? null : 2 + Math.floor(random() * 4);
          const m: number | null = modulus;
          b.setFilter(m === null ? null : (n) => n % m === 0);
        }
        const batch = Array.from({ length: Math.floor(random() * capacity * 1.5) }, () => counter++);
        b.append(batch);
        model.push(...batch);
        if (model.length > capacity) {
          dropped += model.length - capacity;
          model = model.slice(model.length - capacity);
        }
        const m: number | null = modulus;
        assert.deepEqual(contents(b), model);
        assert.equal(b.droppedCount, dropped);
        assert.deepEqual(filtered(b), m === null ? model : model.filter((n) => n % m === 0));
      }
    }
  });

  test('defaults to a capacity of one million lines', () => {
    assert.equal(new LogBuffer().capacity, DEFAULT_LOG_BUFFER_CAPACITY);
    assert.equal(DEFAULT_LOG_BUFFER_CAPACITY, 1_000_000);
  });

  test('handles a full million-line buffer with filtering and wrap-around', () => {
    const b = new LogBuffer<string>();
    const batch = 1000;
    for (let start = 0; start < 1_500_000; start += batch) {
      b.append(
        Array.from({ length: batch }, (_, i) => `line ${start + i}${(start + i) % 10 === 0 ? ' ERROR' : ''}`),
      );
      if (start === 600_000) b.setFilter((l) => l.endsWith('ERROR'));
    }
    assert.equal(b.length, 1_000_000);
    assert.equal(b.droppedCount, 500_000);
    assert.equal(b.get(0), 'line 500000 ERROR');
    assert.equal(b.get(999_999), 'line 1499999');
    assert.equal(b.filteredLength, 100_000);
    assert.equal(b.filteredGet(0), 'line 500000 ERROR');
    assert.equal(b.filteredGet(99_999), 'line 1499990 ERROR');
    assert.equal(b.filteredPosition(1), 10);
  });

  test('a size limit drops the oldest lines beyond it, whatever their count', () => {
    const b = new LogBuffer<string>(100, { maxSize: 10, sizeOf: (l) => l.length });
    b.append(['aaaa', 'bbbb']);
    assert.deepEqual(contents(b), ['aaaa', 'bbbb']);
    b.append(['cccc']);
    assert.deepEqual(contents(b), ['bbbb', 'cccc']);
    assert.equal(b.droppedCount, 1);
    assert.equal(b.heldSize, 8);
    // A line larger than the whole limit is still shown, alone.
    b.append(['x'.repeat(50)]);
    assert.deepEqual(contents(b), ['x'.repeat(50)]);
    assert.equal(b.droppedCount, 3);
    b.append(['dd']);
    assert.deepEqual(contents(b), ['dd']);
    assert.equal(b.heldSize, 2);
  });

  test('count and size limits together agree with a simple model, with filters and wrap-around', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const capacity = 6;
    const maxSize = 20;
    const b = new LogBuffer<string>(capacity, { maxSize, sizeOf: (l) => l.length });
    b.setFilter((l) => l.startsWith('e'));
    let model: string[] = [];
    let dropped = 0;
    for (let round = 0; round < 500; round++) {
      const batch = Array.from({ length: Math.floor(random() * capacity * 1.5) }, () =>
        (random() < 0.3 ? 'e' : 'x').repeat(1 + Math.floor(random() * 8)),
      );
      b.append(batch);
      model.push(...batch);
      const before = model.length;
      if (model.length > capacity) model = model.slice(model.length - capacity);
      const total = () => model.reduce((n, l) => n + l.length, 0);
      while (total() > maxSize && model.length > 1) model.shift();
      dropped += before - model.length;
      assert.deepEqual(contents(b), model);
      assert.equal(b.droppedCount, dropped);
      assert.equal(b.heldSize, total());
      assert.deepEqual(
        filtered(b),
        model.filter((l) => l.startsWith('e')),
      );
    }
  });

  test('rejects a capacity that is not a positive integer', () => {
    assert.throws(() => new LogBuffer(0), RangeError);
    assert.throws(() => new LogBuffer(1.5), RangeError);
  });
});

test('an external filter starts empty and shows only the lines added to its index', () => {
  const buffer = new LogBuffer<string>(4);
  buffer.append(['a', 'b', 'c']);
  buffer.setExternalFilter();
  assert.equal(buffer.hasFilter, true);
  assert.equal(buffer.filteredLength, 0);
  buffer.addMatches([0, 2, 2, 1, 7]); // repeats, going back and lines not appended yet are ignored
  assert.deepEqual([buffer.filteredGet(0), buffer.filteredGet(1)], ['a', 'c']);
  assert.equal(buffer.filteredLength, 2);
  buffer.append(['d', 'e', 'f']); // drops a and b
  assert.equal(buffer.filteredLength, 1);
  buffer.addMatches([3, 5]);
  assert.deepEqual(
    Array.from({ length: buffer.filteredLength }, (_, i) => buffer.filteredGet(i)),
    ['c', 'd', 'f'],
  );
  assert.equal(buffer.filteredPosition(2), 3);
  buffer.setFilter(null);
  assert.equal(buffer.filteredLength, 4);
  assert.throws(() => buffer.addMatches([6]), /setExternalFilter/);
});
