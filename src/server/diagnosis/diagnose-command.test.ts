// Usage errors of `podscope diagnose` are decided before any cluster is contacted (the end-to-end runs
// against the real cluster are in test/integration/diagnosis/cli.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runDiagnoseCommand } from './diagnose-command.js';

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await runDiagnoseCommand(args, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    color: false,
  });
  return { code, out, err };
}

test('--help prints the usage and exits 0', async () => {
  const r = await run(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.out, /^Usage: podscope diagnose/);
});

test('bad usage exits 2 with a sentence', async () => {
  const cases: [string[], RegExp][] = [
    [['--bogus'], /Unknown option '--bogus'/],
    [['--output', 'yaml'], /--output is text or json \(got "yaml"\)/],
    [['a', 'b'], /one pod at a time/],
    [['Not_A_Pod'], /pod name/i],
  ];
  for (const [args, message] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, message);
    assert.equal(r.out, '');
  }
});

test('a kubeconfig that cannot be loaded exits 3', async () => {
  const r = await run(['--kubeconfig', '/nonexistent/kubeconfig', 'crashloop']);
  assert.equal(r.code, 3);
  assert.match(r.err, /^podscope diagnose: cannot load the kubeconfig: /);
});
