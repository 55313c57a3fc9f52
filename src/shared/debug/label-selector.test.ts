import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeSelector,
  isEmptySelector,
  requiredKeys,
  selectorFromMap,
  selectorMatches,
  type LabelSelector,
} from './label-selector.js';

const labels = { app: 'web', tier: 'frontend', 'pod-template-hash': '7d4f' };

describe('selectorMatches (apimachinery semantics)', () => {
  const cases: [string, LabelSelector, boolean][] = [
    ['matchLabels subset', { matchLabels: { app: 'web' } }, true],
    ['matchLabels other value', { matchLabels: { app: 'db' } }, false],
    ['matchLabels missing key', { matchLabels: { team: 'x' } }, false],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend', 'frontend'] }] }, true],
    ['In, absent key', { matchExpressions: [{ key: 'team', operator: 'In', values: ['x'] }] }, false],
    ['NotIn', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['frontend'] }] }, false],
    [
      'NotIn, absent key matches',
      { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['x'] }] },
      true,
    ],
    ['Exists', { matchExpressions: [{ key: 'pod-template-hash', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'pod-template-hash', operator: 'DoesNotExist' }] }, false],
    ['DoesNotExist, absent', { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, true],
    [
      'both parts must hold',
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'team', operator: 'Exists' }] },
      false,
    ],
    ['empty selects everything', {}, true],
    [
      'unknown operator never matches',
      { matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] },
      false,
    ],
  ];
  for (const [name, sel, want] of cases) test(name, () => assert.equal(selectorMatches(sel, labels), want));
  test('a label named like an Object.prototype member is not "present"', () => {
    assert.equal(
      selectorMatches({ matchExpressions: [{ key: 'toString', operator: 'Exists' }] }, labels),
      false,
    );
  });
});

describe('requiredKeys: the labels whose removal stops a match', () => {
  test('matchLabels, In and Exists count; NotIn and DoesNotExist do not', () => {
    assert.deepEqual(
      requiredKeys({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['a'] },
          { key: 'hash', operator: 'Exists' },
          { key: 'legacy', operator: 'NotIn', values: ['true'] },
          { key: 'canary', operator: 'DoesNotExist' },
        ],
      }),
      ['app', 'hash', 'tier'],
    );
  });
  test('removing any one of them un-matches the selector', () => {
    const sel: LabelSelector = {
      matchLabels: { app: 'web' },
      matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend'] }],
    };
    for (const key of requiredKeys(sel)) {
      const rest = Object.fromEntries(Object.entries(labels).filter(([k]) => k !== key));
      assert.equal(selectorMatches(sel, rest), false, key);
    }
  });
});

describe('selector helpers', () => {
  test('a map selector (ReplicationController, Service)', () => {
    assert.deepEqual(selectorFromMap({ app: 'rc' }), { matchLabels: { app: 'rc' } });
    assert.equal(isEmptySelector(selectorFromMap(undefined)), true);
    assert.equal(isEmptySelector({ matchExpressions: [{ key: 'a', operator: 'Exists' }] }), false);
  });
  test('describeSelector prints like kubectl', () => {
    assert.equal(
      describeSelector({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['a', 'b'] },
          { key: 'x', operator: 'NotIn', values: ['c'] },
          { key: 'hash', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
      'app=web,tier in (a,b),x notin (c),hash,!legacy',
    );
    assert.equal(describeSelector({}), '(everything)');
  });
});
