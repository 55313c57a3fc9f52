import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { asArray, asBoolean, asNumber, asRecord, asString, isRecord } from './json.js';

describe('JSON field readers', () => {
  test('asRecord returns objects and an empty frozen object for anything else', () => {
    const obj = { a: 1 };
    assert.equal(asRecord(obj), obj);
    for (const v of [null, undefined, [], 'x', 1, true]) {
      assert.deepEqual(asRecord(v), {});
      assert.ok(Object.isFrozen(asRecord(v)), 'the shared empty object must not be writable');
    }
  });

  test('asArray returns arrays only', () => {
    assert.deepEqual(asArray([1]), [1]);
    assert.deepEqual(asArray({ length: 1, 0: 'x' }), []);
  });

  test('asString treats empty strings as absent, as Kubernetes does with omitempty', () => {
    assert.equal(asString('x'), 'x');
    assert.equal(asString(''), null);
    assert.equal(asString(5), null);
  });

  test('asNumber accepts finite numbers only', () => {
    assert.equal(asNumber(0), 0);
    assert.equal(asNumber('1'), null);
    assert.equal(asNumber(Number.NaN), null);
    assert.equal(asNumber(Infinity), null);
  });

  test('asBoolean is true only for true', () => {
    assert.deepEqual([true, 'true', 1, null].map(asBoolean), [true, false, false, false]);
  });

  test('isRecord rejects arrays and null', () => {
    assert.deepEqual([{}, [], null, 'x'].map(isRecord), [true, false, false, false]);
  });
});
