// Exec policy against the real cluster: non-root through setpriv (debug-tools image) and su (busybox
// app image), chosen by a namespace label or the config file; refusals that never fall back to root;
// no-exec opens no stream.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SqliteAuditStore } from '../../../src/server/audit/sqlite-audit-store.js';
import { parseConfig } from '../../../src/server/config/podscope-config.js';
import { APP_IMAGE, DEBUG_IMAGE, kubectl, kubectlOk, uniqueName } from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { TerminalClient, terminalUrl } from './terminal-client.js';
import { createPod, processes, waitPodRunning } from './test-pods.js';

const ns = uniqueName('pst');
let toolsPod: string;
let appPod: string;
const dir = mkdtempSync(path.join(tmpdir(), 'podscope-policy-'));
const instances: RunningPodscope[] = [];
const stores: SqliteAuditStore[] = [];
const open: TerminalClient[] = [];

async function podscopeWith(config: unknown) {
  const audit = new SqliteAuditStore(path.join(dir, `${instances.length}.db`));
  const p = await startPodscope({ config: parseConfig(config), audit });
  instances.push(p);
  stores.push(audit);
  return { podscope: p, audit };
}

let labelled: Awaited<ReturnType<typeof podscopeWith>>;

before(async () => {
  await kubectlOk(['create', 'namespace', ns]);
  await kubectlOk(['label', 'namespace', ns, 'podscope.io/environment=production', 'podscope-test=true']);
  toolsPod = await createPod({ prefix: 'tools', image: DEBUG_IMAGE, namespace: ns });
  appPod = await createPod({ prefix: 'app', image: APP_IMAGE, namespace: ns });
  // No rule: the namespace label alone makes it non-root, as uid 1000.
  labelled = await podscopeWith({ execPolicy: { nonRootUser: 1000 } });
  await Promise.all([waitPodRunning(toolsPod, ns), waitPodRunning(appPod, ns)]);
});
after(async () => {
  for (const t of open) t.close();
  for (const p of instances) await p.close();
  for (const s of stores) await s.close();
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
  rmSync(dir, { recursive: true, force: true });
});

function terminal(
  { podscope }: { podscope: RunningPodscope },
  pod: string,
  query: Record<string, string | string[]> = {},
) {
  const t = new TerminalClient(terminalUrl(podscope.wsUrl, ns, pod, query), podscope.headers);
  open.push(t);
  return t;
}

async function policyOf({ podscope }: { podscope: RunningPodscope }, namespace = ns) {
  const res = await podscope.fetch(`/api/clusters/${CLUSTER}/namespaces/${namespace}/pods/x/terminal/policy`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The one audit record a refused attempt leaves: started and ended at once, outcome refused. */
async function assertRefusalRecorded(audit: SqliteAuditStore, reason: RegExp): Promise<void> {
  const { sessions } = await audit.listSessions();
  assert.equal(sessions.length, 1, JSON.stringify(sessions));
  const s = sessions[0]!;
  assert.equal(s.kind, 'exec');
  assert.equal(s.outcome?.['result'], 'refused');
  assert.match(String(s.outcome?.['reason']), reason);
  assert.notEqual(s.endedAt, null);
}

describe('exec policy', () => {
  test('the policy endpoint shows the label-derived policy before connecting', async () => {
    const { status, body } = await policyOf(labelled);
    assert.equal(status, 200);
    assert.equal(body['policy'], 'non-root');
    assert.equal(body['user'], 1000);
    assert.equal(body['source'], 'namespace-label');
    assert.match(String(body['reason']), /podscope\.io\/environment=production/);
    const demo = await policyOf(labelled, 'demo');
    assert.deepEqual(
      { policy: demo.body['policy'], source: demo.body['source'] },
      { policy: 'root-allowed', source: 'default' },
    );
  });

  test('non-root through setpriv: `id -u` is the configured uid although the image runs as root', async () => {
    const t = terminal(labelled, toolsPod);
    const ready = await t.ready();
    assert.equal(ready.policy, 'non-root');
    assert.equal(ready.user, 1000);
    assert.equal(ready.shell, 'bash');
    assert.equal(ready.command[0], 'setpriv');
    t.type('echo "uid=$(id -u)"\r');
    await t.outputMatches(/uid=1000\r\n/); // bash may put ESC[?2004l\r first
    t.type('touch /root/owned; echo "rc=$?"\r');
    await t.outputMatches(/rc=1\r\n/);
    t.type('exit\r');
    await t.closed;
    const s = await labelled.audit.getSession(ready.sessionId);
    assert.match(s?.policy ?? '', /^non-root as 1000 \(namespace-label: /);
    assert.deepEqual(s?.details['runAs'], { uid: 1000, tool: 'setpriv' });
    assert.equal(
      (await kubectlOk(['-n', ns, 'exec', toolsPod, '--', 'id', '-u'])).trim(),
      '0',
      'image runs as root',
    );
  });

  test('non-root cannot become root again through a setuid-root binary (setpriv --no-new-privs)', async () => {
    const t = terminal(labelled, toolsPod, { command: ['suid-id', '-u'] });
    await t.closed;
    assert.match(t.output, /^1000\r\n$/, 'the setuid bit is ignored: still uid 1000');
    const asRoot = await kubectlOk([
      '-n',
      ns,
      'exec',
      toolsPod,
      '--',
      'setpriv',
      '--reuid=1000',
      'suid-id',
      '-u',
    ]);
    assert.equal(
      asRoot.trim(),
      '0',
      'without no_new_privs the same binary does give root (the test can fail)',
    );
  });

  test('non-root through busybox su (its setpriv cannot switch users), for a user command too', async () => {
    const t = terminal(labelled, appPod);
    const ready = await t.ready();
    assert.equal(ready.command[0], 'su');
    assert.equal(ready.user, 1000);
    t.type('echo "$(id -u):$(id -un)"\r');
    await t.outputMatches(/\r\n1000:app\r\n/);
    t.close();
    const c = terminal(labelled, appPod, { command: ['id', '-u'] });
    await c.closed;
    assert.match(c.output, /^1000\r\n$/);
    assert.equal(c.message('exit')?.code, 0);
  });

  test('an unknown user is refused with a clear message, never run as root', async () => {
    const p = await podscopeWith({
      execPolicy: { rules: [{ namespace: ns, policy: 'non-root', user: 'ghost' }] },
    });
    const t = terminal(p, appPod, { command: ['sleep', '4343'] });
    const err = await t.error();
    assert.equal(err?.status, 422);
    assert.match(
      err?.message ?? '',
      /cannot enter container "app" as user ghost: the container has no user "ghost"/,
    );
    assert.match(err?.message ?? '', /never falls back to root/);
    assert.equal(t.message('ready'), undefined);
    await assertRefusalRecorded(p.audit, /no user "ghost"/);
    assert.doesNotMatch(await processes(appPod, ns), /sleep 4343/);
  });

  test('a uid with no passwd entry on an image without a capable setpriv is refused, saying why', async () => {
    const p = await podscopeWith({
      execPolicy: { rules: [{ namespace: ns, policy: 'non-root', user: 4242 }] },
    });
    const t = terminal(p, appPod);
    const err = await t.error();
    assert.equal(err?.status, 422);
    assert.match(err?.message ?? '', /as user 4242: setpriv: .*unrecognized option/);
  });

  test('no-exec refuses with a clear message and opens no stream', async () => {
    const p = await podscopeWith({
      execPolicy: { rules: [{ cluster: CLUSTER, namespace: ns, policy: 'no-exec' }] },
    });
    const policy = await policyOf(p);
    assert.deepEqual(
      { policy: policy.body['policy'], source: policy.body['source'] },
      { policy: 'no-exec', source: 'config' },
    );
    const t = terminal(p, appPod, { command: ['sleep', '4242'] });
    const err = await t.error();
    assert.equal(err?.status, 403);
    assert.equal(err?.fatal, true);
    assert.match(err?.message ?? '', /Terminals are not allowed here: Exec is not allowed: config rule 1/);
    assert.equal(t.closedWith?.code, 1008);
    assert.equal(t.message('ready'), undefined);
    assert.equal(t.outputBytes, 0);
    await assertRefusalRecorded(p.audit, /Terminals are not allowed here/);
    assert.doesNotMatch(await processes(appPod, ns), /sleep 4242/);
  });
});
