import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { anyUtf16 } from '../../../test/support/arbitraries.js';
import {
  MAX_SINCE_SECONDS,
  parseIntParam,
  parseLabelSelector,
  parseSinceParam,
  validateContainerName,
  validateContextName,
  validateNamespaceName,
  validatePodName,
  type Validated,
} from './names.js';

/** Characters that must never reach a log line or the UI raw: controls, separators, bidi overrides. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789');
/** A DNS-1123 label built from its grammar: alphanumeric ends, '-' allowed inside, 1–63 characters. */
const label = fc
  .tuple(alnum, fc.stringMatching(/^[-a-z0-9]{0,61}$/), alnum, fc.boolean())
  .map(([first, middle, last, single]) => (single ? first : `${first}${middle}${last}`));
const subdomain = fc
  .array(label, { minLength: 1, maxLength: 4 })
  .map((labels) => labels.join('.'))
  .filter((s) => s.length <= 253);

/** Strings near the grammar (valid ones with one character changed) and anything at all. */
function nearly(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const damaged = fc
    .tuple(
      valid,
      fc.nat(),
      fc.oneof(
        fc.constantFrom('.', '-', '/', '..', 'A', '_', ' ', '\0', '\u202e', '\u2028', '\u0085', 'é', ''),
        anyUtf16(2),
      ),
    )
    .map(([v, at, insert]) => v.slice(0, at % (v.length + 1)) + insert + v.slice((at % (v.length + 1)) + 1));
  return fc.oneof(valid, damaged, anyUtf16(), fc.string({ unit: 'binary', maxLength: 70 }));
}

/** Every rejection is one sentence, quoting the input so that nothing invisible or line-breaking survives. */
function assertSafeError<T>(result: Validated<T>): void {
  if (result.ok) return;
  assert.ok(result.error.length > 0);
  assert.doesNotMatch(result.error, UNSAFE, `unsafe character in ${JSON.stringify(result.error)}`);
}

describe('name validation properties', () => {
  const labelValidators = [validateNamespaceName, validateContainerName];

  it('accepts every DNS-1123 label built from the grammar, as namespace and container names', () => {
    fc.assert(
      fc.property(label, (name) => {
        for (const validate of labelValidators) assert.deepEqual(validate(name), { ok: true, value: name });
      }),
    );
  });

  it('accepts from any string only 1–63 of [a-z0-9-] with alphanumeric ends, and never throws', () => {
    fc.assert(
      fc.property(nearly(label), (input) => {
        for (const validate of labelValidators) {
          const result = validate(input);
          assertSafeError(result);
          if (!result.ok) continue;
          assert.equal(result.value, input);
          assert.ok(input.length >= 1 && input.length <= 63);
          assert.ok([...input].every((c) => /[a-z0-9-]/.test(c)));
          assert.ok(!input.startsWith('-') && !input.endsWith('-'));
        }
      }),
    );
  });

  it('accepts every DNS-1123 subdomain as a pod name, and from any string only dot-joined labels', () => {
    fc.assert(
      fc.property(subdomain, (name) => assert.deepEqual(validatePodName(name), { ok: true, value: name })),
    );
    fc.assert(
      fc.property(nearly(subdomain), (input) => {
        const result = validatePodName(input);
        assertSafeError(result);
        if (!result.ok) return;
        assert.ok(input.length <= 253);
        for (const part of input.split('.')) {
          assert.ok(part !== '' && /^[a-z0-9-]+$/.test(part) && !part.startsWith('-') && !part.endsWith('-'));
        }
        assert.ok(!input.includes('..') && !input.includes('/'));
      }),
    );
  });

  it('accepts as a context name nothing empty, invisible, padded, "." or "..", and never throws', () => {
    const arn = fc
      .tuple(subdomain, fc.nat({ max: 999999999999 }), label)
      .map(([region, account, name]) => `arn:aws:eks:${region}:${account}:cluster/${name}`);
    fc.assert(
      fc.property(fc.oneof(nearly(arn), fc.constantFrom('.', '..', ' a', 'a ')), (input) => {
        const result = validateContextName(input);
        assertSafeError(result);
        if (!result.ok) return;
        assert.ok(input.length >= 1 && input.length <= 253);
        assert.doesNotMatch(input, UNSAFE);
        assert.ok(input !== '.' && input !== '..' && input.trim() === input);
      }),
    );
  });
});

describe('label selector properties', () => {
  const key = fc
    .tuple(
      fc.option(subdomain, { nil: undefined }),
      fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?$/),
    )
    .map(([prefix, name]) => (prefix === undefined ? name : `${prefix}/${name}`));
  const value = fc.stringMatching(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?)?$/);
  const nonEmptyValue = value.filter((v) => v !== '');
  const space = fc.constantFrom('', ' ', '  ');
  const requirement = fc.oneof(
    fc
      .tuple(key, fc.constantFrom('=', '==', '!='), value, space)
      .map(([k, op, v, s]) => `${k}${s}${op}${s}${v}`),
    fc
      .tuple(
        key,
        fc.constantFrom('in', 'notin'),
        fc.array(nonEmptyValue, { minLength: 1, maxLength: 3 }),
        space,
      )
      .map(([k, op, vs, s]) => `${k} ${op}${s}(${vs.join(`,${s}`)})`),
    key,
    key.map((k) => `!${k}`),
  );
  const selector = fc.array(requirement, { minLength: 1, maxLength: 4 }).map((rs) => rs.join(','));

  it('accepts every selector built from the grammar, one requirement per part', () => {
    fc.assert(
      fc.property(selector, (raw) => {
        const result = parseLabelSelector(raw);
        assert.ok(result.ok, `${raw}: ${result.ok ? '' : result.error}`);
        assert.equal(result.value.requirements.length, raw.split(/,(?![^(]*\))/).length);
      }),
    );
  });

  it('rewrites any accepted selector canonically: parsing the result again changes nothing', () => {
    fc.assert(
      fc.property(nearly(selector), (raw) => {
        const first = parseLabelSelector(raw);
        assertSafeError(first);
        if (!first.ok) return;
        const again = parseLabelSelector(first.value.selector);
        assert.deepEqual(again, first);
        assert.doesNotMatch(first.value.selector, UNSAFE);
      }),
    );
  });
});

describe('query parameter properties', () => {
  it('reads back every whole number in range from its digits, and accepts nothing else', () => {
    const bounds = fc
      .tuple(fc.nat({ max: 1e6 }), fc.nat({ max: 1e6 }))
      .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }));
    fc.assert(
      fc.property(bounds, fc.nat({ max: 1e6 }), ({ min, max }, n) => {
        const result = parseIntParam(String(n), { name: 'tail', min, max });
        assert.deepEqual(result.ok, n >= min && n <= max);
        if (result.ok) assert.equal(result.value, n);
      }),
    );
    const numberish = fc.oneof(
      fc.stringMatching(/^[-+ 0]?\d{0,17}(\.\d?)?(e\d)?\s?$/),
      fc.double().map(String),
      anyUtf16(8),
    );
    fc.assert(
      fc.property(numberish, (raw) => {
        const result = parseIntParam(raw, { name: 'tail', min: 0, max: Number.MAX_SAFE_INTEGER, default: 7 });
        assertSafeError(result);
        if (result.ok && raw !== '') assert.equal(String(result.value), raw);
      }),
    );
  });

  it('reads since as null or a whole number of seconds from 1 to 30 days, and never throws', () => {
    const since = fc.oneof(
      fc.tuple(fc.nat({ max: 1e9 }), fc.constantFrom('s', 'm', 'h', 'd', '')).map(([n, u]) => `${n}${u}`),
      anyUtf16(8),
    );
    fc.assert(
      fc.property(since, (raw) => {
        const result = parseSinceParam(raw);
        assertSafeError(result);
        if (!result.ok || result.value === null) return;
        assert.ok(Number.isInteger(result.value) && result.value >= 1 && result.value <= MAX_SINCE_SECONDS);
      }),
    );
  });
});
