import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_SINCE_SECONDS,
  parseBoolParam,
  parseIntParam,
  parseLabelSelector,
  parseSinceParam,
  quote,
  validateContainerName,
  validateContextName,
  validateNamespaceName,
  validatePodName,
  type Validated,
} from './names.js';

function errorOf<T>(result: Validated<T>): string {
  assert.equal(result.ok, false, `expected a rejection, got ${JSON.stringify(result)}`);
  return result.ok ? '' : result.error;
}

/** Inputs that no name validator may accept. */
const HOSTILE = [
  '',
  '../x',
  '..',
  '.',
  'a/b',
  'a\u0000b',
  'a\nb',
  'ünïcode',
  'a b',
  ' a',
  'a\u202eb',
  '%2e%2e',
];

describe('validateNamespaceName (DNS-1123 label)', () => {
  for (const good of ['default', 'kube-system', 'a', '0', 'team-42', 'a'.repeat(63)]) {
    test(`accepts ${JSON.stringify(good.length > 20 ? `${good.length} chars` : good)}`, () => {
      assert.deepEqual(validateNamespaceName(good), { ok: true, value: good });
    });
  }
  for (const bad of [
    ...HOSTILE,
    'Default',
    'UPPER',
    '-lead',
    'trail-',
    'dot.ted',
    'under_score',
    'a'.repeat(64),
  ]) {
    test(`rejects ${JSON.stringify(bad.slice(0, 20))}`, () => {
      assert.match(errorOf(validateNamespaceName(bad)), /^Namespace name /);
    });
  }

  test('explains the length limit with the actual length', () => {
    assert.equal(
      errorOf(validateNamespaceName('a'.repeat(70))),
      'Namespace name must be at most 63 characters long (it has 70).',
    );
  });

  test('says what is wrong with the characters and quotes the input safely', () => {
    const error = errorOf(validateNamespaceName('Bad\nName'));
    assert.equal(
      error,
      `Namespace name "Bad\\nName" is not valid: use only lower-case letters, digits and '-', starting and ending with a letter or digit.`,
    );
    assert.ok(!error.includes('\n'));
  });

  test('escapes what JSON leaves raw: C1 controls, DEL, line separators, bidi overrides (found by a property test)', () => {
    const error = errorOf(validateNamespaceName('admin\u202egnp\u0085x\u2028y\u007f'));
    assert.ok(
      error.startsWith('Namespace name "admin\\u202egnp\\u0085x\\u2028y\\u007f" is not valid'),
      error,
    );
    assert.equal(quote('\u2066\u2069\u009b'), '"\\u2066\\u2069\\u009b"');
  });

  test('shortens very long rejected input in the message', () => {
    assert.ok(errorOf(validateNamespaceName('X'.repeat(60))).length < 200);
  });
});

describe('validatePodName (DNS-1123 subdomain)', () => {
  for (const good of [
    'web-5d8c7b9f4-tq7wz',
    'search-0',
    'a.b.c',
    'x',
    `${'a'.repeat(63)}.${'b'.repeat(63)}`,
  ]) {
    test(`accepts ${JSON.stringify(good.slice(0, 30))}`, () => {
      assert.equal(validatePodName(good).ok, true);
    });
  }
  for (const bad of [...HOSTILE, 'a..b', '.a', 'a.', 'a.-b', 'Web', 'a_b', 'a'.repeat(254)]) {
    test(`rejects ${JSON.stringify(bad.slice(0, 20))}`, () => {
      assert.match(errorOf(validatePodName(bad)), /^Pod name /);
    });
  }
});

describe('validateContainerName (DNS-1123 label)', () => {
  test('accepts a normal container name', () => {
    assert.equal(validateContainerName('debugger-7xk2p').ok, true);
  });
  for (const bad of [...HOSTILE, 'a.b', 'App']) {
    test(`rejects ${JSON.stringify(bad)}`, () => {
      assert.match(errorOf(validateContainerName(bad)), /^Container name /);
    });
  }
});

describe('validateContextName', () => {
  for (const good of [
    'kind-podscope',
    'prod@eu-west',
    'gke_project_europe-west1_prod',
    'arn:aws:eks:eu-west-1:123456789012:cluster:prod',
    'arn:aws:eks:eu-west-1:123456789012:cluster/prod',
    'Ünïcode OK',
    'My Cluster',
  ]) {
    test(`accepts ${JSON.stringify(good)}`, () => {
      assert.deepEqual(validateContextName(good), { ok: true, value: good });
    });
  }
  const bad: [string, RegExp][] = [
    ['', /must not be empty/],
    ['..', /must not be '\.' or '\.\.'/],
    ['.', /must not be '\.' or '\.\.'/],
    ['a\u0000b', /control or invisible/],
    ['a\tb', /control or invisible/],
    ['a\u0085b', /control or invisible/],
    ['admin\u202egnp.exe', /control or invisible/],
    [' padded', /start or end with a space/],
    ['x'.repeat(254), /at most 253/],
  ];
  for (const [input, error] of bad) {
    test(`rejects ${JSON.stringify(input.slice(0, 30))}`, () => {
      assert.match(errorOf(validateContextName(input)), error);
    });
  }
  test('names the field it validates', () => {
    assert.match(errorOf(validateContextName('', 'Context name')), /^Context name must not be empty\.$/);
  });
});

describe('parseLabelSelector', () => {
  const good: [string, string][] = [
    ['app=web', 'app=web'],
    ['app==web', 'app=web'],
    ['app = web', 'app=web'],
    ['tier!=frontend', 'tier!=frontend'],
    ['env in (prod, staging)', 'env in (prod,staging)'],
    ['env notin(dev)', 'env notin (dev)'],
    ['!canary', '!canary'],
    ['managed', 'managed'],
    ['app.kubernetes.io/name=web', 'app.kubernetes.io/name=web'],
    ['a=b,c!=d,e in (x,y),!f,g', 'a=b,c!=d,e in (x,y),!f,g'],
    ['empty=', 'empty='],
    ['v=1.2_3-x', 'v=1.2_3-x'],
    ['', ''],
    ['   ', ''],
  ];
  for (const [input, canonical] of good) {
    test(`accepts ${JSON.stringify(input)} as ${JSON.stringify(canonical)}`, () => {
      const result = parseLabelSelector(input);
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.equal(result.ok && result.value.selector, canonical);
    });
  }

  test('returns the parsed requirements', () => {
    const result = parseLabelSelector('a=b,e in (x,y),!f');
    assert.deepEqual(result.ok && result.value.requirements, [
      { key: 'a', operator: '=', values: ['b'] },
      { key: 'e', operator: 'in', values: ['x', 'y'] },
      { key: 'f', operator: '!', values: [] },
    ]);
  });

  const bad = [
    'a>1',
    'a<1',
    'a=b=c',
    'a in ()',
    'a in (x,)',
    'a in x',
    'ain (x)',
    'a,,b',
    ',a',
    'a=b,',
    'a=(b)',
    'a b',
    '-a=b',
    'a-=b',
    'a=-b',
    'Bad_Prefix.com/x=y',
    '/x=y',
    'x/=y',
    'a/b/c=d',
    `${'k'.repeat(64)}=v`,
    `k=${'v'.repeat(64)}`,
    'a=b\nc=d',
    'a=ü',
    'a=b;rm -rf',
    '!',
    '!!a',
    'a in ((x))',
    'x'.repeat(5000),
  ];
  for (const input of bad) {
    test(`rejects ${JSON.stringify(input.slice(0, 30))}`, () => {
      assert.match(errorOf(parseLabelSelector(input)), /label|selector|value|key/i);
    });
  }

  test('explains an unknown form with the accepted ones', () => {
    assert.match(errorOf(parseLabelSelector('a>1')), /key=value, key!=value, key in \(a,b\)/);
  });
});

describe('parseIntParam', () => {
  const opts = { name: 'tailLines', min: 0, max: 100000 };
  const good: [string, number][] = [
    ['0', 0],
    ['1', 1],
    ['500', 500],
    ['100000', 100000],
  ];
  for (const [raw, value] of good) {
    test(`reads ${JSON.stringify(raw)} as ${value}`, () => {
      assert.deepEqual(parseIntParam(raw, opts), { ok: true, value });
    });
  }
  for (const bad of [
    '-1',
    '+1',
    '1e3',
    '0x10',
    '01',
    '00',
    '1.0',
    '1.5',
    ' 1',
    '1 ',
    '1_000',
    '١٢',
    'NaN',
    'Infinity',
    'ten',
    '99999999999999999999',
  ]) {
    test(`rejects ${JSON.stringify(bad)}`, () => {
      assert.match(errorOf(parseIntParam(bad, opts)), /^tailLines must/);
    });
  }
  test('rejects values outside the range with the range in the message', () => {
    assert.equal(
      errorOf(parseIntParam('100001', opts)),
      'tailLines must be between 0 and 100000 (got 100001).',
    );
    assert.match(errorOf(parseIntParam('0', { ...opts, min: 1 })), /between 1 and/);
  });
  test('a missing value is required unless there is a default', () => {
    assert.equal(errorOf(parseIntParam(undefined, opts)), 'tailLines is required.');
    assert.deepEqual(parseIntParam(undefined, { ...opts, default: 100 }), { ok: true, value: 100 });
    assert.deepEqual(parseIntParam('', { ...opts, default: 100 }), { ok: true, value: 100 });
  });
});

describe('parseBoolParam', () => {
  const table: [string, boolean][] = [
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ];
  for (const [raw, value] of table) {
    test(`reads ${JSON.stringify(raw)} as ${value}`, () => {
      assert.deepEqual(parseBoolParam(raw, { name: 'follow' }), { ok: true, value });
    });
  }
  for (const bad of ['TRUE', 'True', 'yes', 'on', '2', ' true', 'true ', 'null']) {
    test(`rejects ${JSON.stringify(bad)}`, () => {
      assert.match(errorOf(parseBoolParam(bad, { name: 'follow' })), /^follow must be true or false/);
    });
  }
  test('uses the default when absent', () => {
    assert.deepEqual(parseBoolParam(undefined, { name: 'follow', default: false }), {
      ok: true,
      value: false,
    });
    assert.equal(errorOf(parseBoolParam(undefined, { name: 'follow' })), 'follow is required.');
  });
});

describe('parseSinceParam', () => {
  const table: [string | undefined, number | null][] = [
    ['1m', 60],
    ['5m', 300],
    ['15m', 900],
    ['1h', 3600],
    ['90s', 90],
    ['720h', MAX_SINCE_SECONDS],
    ['43200m', MAX_SINCE_SECONDS],
    ['all', null],
    [undefined, null],
  ];
  for (const [raw, value] of table) {
    test(`reads ${JSON.stringify(raw)} as ${value === null ? 'everything' : `${value}s`}`, () => {
      assert.deepEqual(parseSinceParam(raw), { ok: true, value });
    });
  }
  for (const bad of [
    '0s',
    '0m',
    '05m',
    '1d',
    '1w',
    '1H',
    '-1m',
    '+1m',
    '1.5h',
    '1 m',
    'm',
    '1',
    'ALL',
    '1e3s',
    '1h30m',
  ]) {
    test(`rejects ${JSON.stringify(bad)}`, () => {
      assert.match(errorOf(parseSinceParam(bad)), /^since must be 'all' or a positive number/);
    });
  }
  test('rejects more than 30 days', () => {
    assert.equal(errorOf(parseSinceParam('721h')), 'since must be at most 30 days (720h).');
    assert.equal(errorOf(parseSinceParam('99999999h')), 'since must be at most 30 days (720h).');
  });
});
