import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashString, SOURCE_PALETTE_SIZE, SourceColors } from './source-colors.js';

test('a source gets the same colour in every view (derived from its name)', () => {
  const a = new SourceColors();
  const b = new SourceColors();
  assert.equal(a.colorOf('web-1/app'), b.colorOf('web-1/app'));
  assert.equal(a.colorOf('web-1/app'), hashString('web-1/app') % SOURCE_PALETTE_SIZE);
});

test('colliding sources are moved to a free colour while one is left', () => {
  const colors = new SourceColors(3);
  const seen = new Set(['a', 'b', 'c', 'd', 'e'].slice(0, 3).map((k) => colors.colorOf(k)));
  assert.equal(seen.size, 3);
  const fourth = colors.colorOf('zzz');
  assert.ok(fourth >= 0 && fourth < 3);
  assert.equal(colors.colorOf('zzz'), fourth);
});
