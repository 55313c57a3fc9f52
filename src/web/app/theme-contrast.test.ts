import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  composite,
  contrastFailures,
  contrastRatio,
  describeFailure,
  parseColor,
  tokensOf,
  withOverrides,
} from './theme-contrast.js';

const css = readFileSync(new URL('./styles.css', import.meta.url), 'utf8');
const light = tokensOf(css, ':root');
const darkChosen = tokensOf(css, ":root[data-theme='dark']");
const darkSystem = tokensOf(css, ":root:not([data-theme='light'])");

describe('contrast arithmetic', () => {
  test('black on white is 21:1, a colour on itself 1:1', () => {
    const white = parseColor('#fff');
    const black = parseColor('#000000');
    assert.ok(white && black);
    assert.equal(contrastRatio(black, white).toFixed(2), '21.00');
    assert.equal(contrastRatio(white, white), 1);
  });

  test("matches WebAIM's checker on known pairs", () => {
    // Published figures: #767676 on white is the lightest grey that passes 4.5:1 (4.54:1).
    const grey = parseColor('#767676');
    const white = parseColor('#ffffff');
    assert.ok(grey && white);
    assert.equal(contrastRatio(grey, white).toFixed(2), '4.54');
  });

  test('a translucent tint is composited over what it is painted on', () => {
    const tint = parseColor('rgba(255, 0, 0, 0.5)');
    const white = parseColor('#ffffff');
    assert.ok(tint && white);
    assert.deepEqual(composite(tint, white), { r: 255, g: 127.5, b: 127.5, a: 1 });
  });

  test('an unreadable or missing token fails its check instead of passing quietly', () => {
    const failures = contrastFailures(new Map([['--fg', 'teal']]), [{ fg: '--fg', bg: '--bg', min: 4.5 }]);
    assert.equal(failures.length, 1);
    assert.equal(failures[0]?.ratio, 0);
  });

  test('a pair below its minimum is reported with its ratio', () => {
    const tokens = new Map([
      ['--fg', '#9a6700'],
      ['--bg', '#ffebe9'],
    ]);
    const [failure, ...rest] = contrastFailures(tokens, [{ fg: '--fg', bg: '--bg', min: 4.5 }]);
    assert.equal(rest.length, 0);
    assert.ok(failure);
    assert.equal(describeFailure(failure), '--fg on --bg: 4.24:1, needs 4.5:1');
  });
});

describe('the theme tokens in styles.css', () => {
  test('the light theme meets WCAG 2.2 AA for every pair it draws', () => {
    assert.deepEqual(contrastFailures(light).map(describeFailure), []);
  });

  test('the dark theme meets WCAG 2.2 AA for every pair it draws', () => {
    assert.deepEqual(contrastFailures(withOverrides(light, darkChosen)).map(describeFailure), []);
  });

  test('the dark theme chosen in the app and the one from the system preference are the same', () => {
    assert.deepEqual([...darkSystem], [...darkChosen]);
  });
});
