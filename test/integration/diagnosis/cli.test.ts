// `podscope diagnose` end to end: the real CLI (src/server/cli.ts through tsx, as the access CLI test runs
// it) against the real cluster — text for a terminal, JSON for scripts, and exit codes a CI pipeline can
// branch on.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import type { NamespaceDiagnosis, PodDiagnosis } from '../../../src/shared/diagnosis/types.js';
import { adminKubeconfig, kubectlOk, nobodyKubeconfig, repoRoot, waitFor } from '../../support/cluster.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function diagnose(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/server/cli.ts', 'diagnose', ...args],
      { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const admin = ['--kubeconfig', adminKubeconfig];

describe('podscope diagnose', () => {
  test('a failing pod: the sentence, its evidence and the kubectl next steps; exit code 1', async () => {
    const r = await diagnose([...admin, '-n', 'demo', 'configerror']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'demo/configerror — CreateContainerConfigError');
    assert.equal(
      lines[2],
      '✖ Container "app" cannot be created: ConfigMap "billing-settings", which env DATABASE_URL reads, does not exist in namespace demo.  [config.missing-configmap]',
    );
    assert.match(r.stdout, /\n {2}Fix: Create ConfigMap "billing-settings" in namespace demo/);
    assert.match(
      r.stdout,
      /\n {4}reference \(env DATABASE_URL\): spec\.containers\[name="app"\]\.env\[name="DATABASE_URL"\]\.valueFrom\.configMapKeyRef = reference\n/,
    );
    assert.match(r.stdout, /\n {4}Open the events: kubectl events -n demo --for pod\/configerror\n/);
    // Not a terminal: no colour codes.
    assert.doesNotMatch(r.stdout, /\u001b\[/);
  });

  test("--output json is the API's object; a healthy pod exits 0", async () => {
    const [failing, healthy] = await Promise.all([
      diagnose([...admin, '-n', 'demo', 'imagepull', '--output', 'json']),
      diagnose([...admin, '-n', 'demo', 'multi', '--json']),
    ]);
    assert.equal(failing.code, 1, failing.stderr);
    const d = JSON.parse(failing.stdout) as PodDiagnosis;
    assert.equal(d.pod, 'imagepull');
    assert.equal(d.findings[0]!.id, 'image-pull.registry-unreachable');
    assert.equal(healthy.code, 0, healthy.stderr);
    const h = JSON.parse(healthy.stdout) as PodDiagnosis;
    assert.equal(h.healthy, true);
    assert.equal(h.headline, 'No problems found: all 2 containers are running and ready.');
  });

  test('a namespace: problem pods grouped by cause, exit code 1', async () => {
    // A crash loop is called one from its second crash on (after one, a running container may have
    // recovered): on a cluster started moments ago the demo's may not have crashed twice yet.
    await waitFor('the crashloop demo pod to have restarted twice', async () => {
      const n = Number(
        await kubectlOk([
          '-n',
          'demo',
          'get',
          'pod',
          'crashloop',
          '-o',
          'jsonpath={.status.containerStatuses[0].restartCount}',
        ]),
      );
      return n >= 2 ? true : undefined;
    });
    const [text, json] = await Promise.all([
      diagnose([...admin, '-n', 'demo']),
      diagnose([...admin, '--namespace', 'demo', '-o', 'json']),
    ]);
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout, /^demo: \d+ pods, \d+ with problems\n/);
    assert.match(
      text.stdout,
      /\n✖ 1 pod cannot be created: ConfigMap "billing-settings" does not exist: configerror {2}\[config\.missing-configmap\]\n/,
    );
    const n = JSON.parse(json.stdout) as NamespaceDiagnosis;
    assert.ok(n.groups.some((g) => g.id === 'oom-killed' && g.pods.includes('oomkilled')));
    // The namespace view reads the output of problem pods: the crash loop's sentence quotes its error.
    const crash = n.diagnoses.find((x) => x.pod === 'crashloop')!;
    assert.match(crash.headline, /keeps crashing/);
  });

  test('could not diagnose: exit code 3 with the reason', async () => {
    const [missing, forbidden, badContext] = await Promise.all([
      diagnose([...admin, '-n', 'demo', 'no-such-pod']),
      diagnose(['--kubeconfig', nobodyKubeconfig, '-n', 'demo', 'crashloop']),
      diagnose([...admin, '--context', 'nope', 'crashloop']),
    ]);
    assert.equal(missing.code, 3);
    assert.equal(missing.stderr, 'podscope diagnose: Pod "no-such-pod" was not found in namespace "demo".\n');
    assert.equal(forbidden.code, 3);
    assert.match(
      forbidden.stderr,
      /^podscope diagnose: Kubernetes RBAC does not allow this: pods "crashloop" is forbidden/,
    );
    assert.equal(badContext.code, 3);
    assert.match(badContext.stderr, /the kubeconfig has no context named "nope"/);
    assert.equal(missing.stdout + forbidden.stdout + badContext.stdout, '');
  });

  test('bad usage: exit code 2', async () => {
    const r = await diagnose([...admin, '-n', 'Demo!', 'crashloop']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^podscope diagnose: Namespace name/);
  });
});
