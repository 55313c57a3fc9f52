import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnosisFixture } from '../../../test/support/diagnosis-fixtures.js';
import { diagnosePod } from './diagnose.js';
import { groupByCause, namespaceDiagnosis } from './group.js';
import type { PodDiagnosis } from './types.js';

const renamed = (d: PodDiagnosis, pod: string): PodDiagnosis => ({ ...d, pod });

test('pods with the same cause are one group; most severe and most common first', () => {
  const pull = diagnosePod(diagnosisFixture('imagepull'));
  const crash = diagnosePod(diagnosisFixture('crashloop'));
  const ready = diagnosePod(diagnosisFixture('readiness-http'));
  const healthy = diagnosePod(diagnosisFixture('healthy-web'));
  const groups = groupByCause([
    crash,
    renamed(pull, 'reports-2'),
    pull,
    renamed(pull, 'reports-3'),
    ready,
    healthy,
  ]);
  assert.deepEqual(
    groups.map((g) => [g.id, g.sentence, g.pods]),
    [
      [
        'image-pull.registry-unreachable',
        '3 pods cannot pull podscope.local/reports-does-not-exist:9.9 — the registry host podscope.local does not resolve (DNS)',
        ['imagepull', 'reports-2', 'reports-3'],
      ],
      ['crash-loop', '1 pod crashed repeatedly with exit code 1', ['crashloop']],
      [
        'readiness-failing',
        '1 pod failed the readiness probe (HTTP GET /ready on port 8080): connection refused',
        ['notready-http'],
      ],
    ],
  );
});

test('info findings do not make a group; the namespace counts problem pods', () => {
  const later = new Date(Date.parse(diagnosisFixture('restarted-once').now.toISOString()) + 86400_000 * 2);
  const old = diagnosePod(diagnosisFixture('restarted-once', { now: later }));
  const ns = namespaceDiagnosis('demo', [old, diagnosePod(diagnosisFixture('crashloop'))], [], later);
  assert.equal(ns.pods, 2);
  assert.equal(ns.problemPods, 1);
  assert.deepEqual(
    ns.groups.map((g) => g.id),
    ['crash-loop'],
  );
  assert.deepEqual(
    ns.diagnoses.map((d) => d.pod),
    ['crashloop', 'restarted-once'],
  );
});
