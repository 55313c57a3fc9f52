// Every door × every exec policy, on the real cluster: terminal, file list, download, upload, debug
// container, pod copy and node debug under root-allowed, non-root (uid 1000) and no-exec. Each row states
// what happens in the container or cluster and the audit record it leaves (refusals included).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { SessionRecord } from '../../../src/server/audit/audit-store.js';
import { SqliteAuditStore } from '../../../src/server/audit/sqlite-audit-store.js';
import { parseConfig } from '../../../src/server/config/podscope-config.js';
import type { ExecPolicyName } from '../../../src/shared/terminal/api.js';
import { DEBUG_IMAGE, kubectl, kubectlOk, uniqueName } from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { TerminalClient, terminalUrl } from '../terminal/terminal-client.js';
import { createPod, waitPodRunning } from '../terminal/test-pods.js';

const ns = uniqueName('doors');
const dir = mkdtempSync(path.join(tmpdir(), 'podscope-doors-'));
let pod: string;

interface Instance {
  podscope: RunningPodscope;
  audit: SqliteAuditStore;
}
const instances = new Map<ExecPolicyName, Instance>();

const CONFIGS: Record<ExecPolicyName, unknown> = {
  'root-allowed': { execPolicy: { rules: [{ namespace: ns, policy: 'root-allowed' }] } },
  'non-root': { execPolicy: { rules: [{ namespace: ns, policy: 'non-root', user: 1000 }] } },
  'no-exec': { execPolicy: { rules: [{ namespace: ns, policy: 'no-exec' }] } },
};

before(async () => {
  await kubectlOk(['create', 'namespace', ns]);
  await kubectlOk(['label', 'namespace', ns, 'podscope-test=true']);
  pod = await createPod({ prefix: 'doors', image: DEBUG_IMAGE, namespace: ns });
  for (const [policy, config] of Object.entries(CONFIGS) as [ExecPolicyName, unknown][]) {
    const audit = new SqliteAuditStore(path.join(dir, `${policy}.db`));
    const podscope = await startPodscope({
      config: parseConfig(config),
      audit,
      debug: { nodeDebugNamespace: ns, leaseGraceMs: 2000 },
    });
    instances.set(policy, { podscope, audit });
  }
  await waitPodRunning(pod, ns);
  // A file only root may read.
  await kubectlOk([
    '-n',
    ns,
    'exec',
    pod,
    '--',
    'sh',
    '-c',
    'echo secret > /tmp/secret; chmod 600 /tmp/secret',
  ]);
});
after(async () => {
  for (const { podscope, audit } of instances.values()) {
    await podscope.close();
    await audit.close();
  }
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
  rmSync(dir, { recursive: true, force: true });
});

const at = (policy: ExecPolicyName) => instances.get(policy)!;
const podPath = () => `/api/clusters/${CLUSTER}/namespaces/${ns}/pods/${pod}`;

async function call(
  policy: ExecPolicyName,
  method: string,
  url: string,
  body?: unknown,
  raw?: string,
): Promise<{ status: number; text: string; json: Record<string, unknown> | null }> {
  const res = await at(policy).podscope.fetch(url, {
    method,
    headers:
      raw !== undefined
        ? { 'Content-Type': 'application/octet-stream' }
        : body === undefined
          ? {}
          : { 'Content-Type': 'application/json' },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // a download body
  }
  return { status: res.status, text, json };
}

/** The newest audit record of this instance for `kind` (each row looks at the one it made). */
async function lastRecord(policy: ExecPolicyName, kind: SessionRecord['kind']): Promise<SessionRecord> {
  const { sessions } = await at(policy).audit.listSessions({ kind, limit: 1 });
  assert.ok(sessions[0], `an audit record of kind ${kind}`);
  return sessions[0];
}

async function assertRefused(policy: ExecPolicyName, kind: SessionRecord['kind'], reason: RegExp) {
  const r = await lastRecord(policy, kind);
  assert.equal(r.outcome?.['result'], 'refused', JSON.stringify(r));
  assert.match(String(r.outcome?.['reason']), reason);
  assert.notEqual(r.endedAt, null);
}

async function podJson(name: string): Promise<V1Pod> {
  return JSON.parse(await kubectlOk(['-n', ns, 'get', 'pod', name, '-o', 'json'])) as V1Pod;
}

async function terminalUid(policy: ExecPolicyName) {
  const { podscope } = at(policy);
  const t = new TerminalClient(
    terminalUrl(podscope.wsUrl, ns, pod, { command: ['id', '-u'] }),
    podscope.headers,
  );
  await t.closed;
  return t;
}

const NO_EXEC = /not allowed here: Exec is not allowed: config rule 1/;

describe('terminal', () => {
  test('root-allowed: the container’s own user (root)', async () => {
    const t = await terminalUid('root-allowed');
    assert.match(t.output, /^0\r\n$/);
    assert.equal((await lastRecord('root-allowed', 'exec')).outcome, null);
  });
  test('non-root: uid 1000', async () => {
    const t = await terminalUid('non-root');
    assert.match(t.output, /^1000\r\n$/);
    assert.match((await lastRecord('non-root', 'exec')).policy, /^non-root as 1000/);
  });
  test('no-exec: 403, nothing runs, a refused record', async () => {
    const t = await terminalUid('no-exec');
    assert.equal(t.message('error')?.status, 403);
    assert.equal(t.outputBytes, 0);
    await assertRefused('no-exec', 'exec', NO_EXEC);
  });
});

describe('file list', () => {
  for (const policy of ['root-allowed', 'non-root'] as const) {
    test(`${policy}: lists, and the listing is audited`, async () => {
      const r = await call(policy, 'GET', `${podPath()}/files?container=app&path=/tmp`);
      assert.equal(r.status, 200, r.text);
      const names = (r.json?.['entries'] as { name: string }[]).map((e) => e.name);
      assert.ok(names.includes('secret'));
      const rec = await lastRecord(policy, 'file-list');
      assert.equal(rec.details['path'], '/tmp');
      assert.deepEqual(
        (rec.outcome?.['runAs'] as { uid: number } | null)?.uid ?? null,
        policy === 'non-root' ? 1000 : null,
      );
    });
  }
  test('no-exec: 403 and a refused record', async () => {
    const r = await call('no-exec', 'GET', `${podPath()}/files?container=app&path=/tmp`);
    assert.equal(r.status, 403);
    assert.match(String(r.json?.['error']), /Browsing files is not allowed here/);
    await assertRefused('no-exec', 'file-list', NO_EXEC);
  });
});

describe('file download of a root-only file', () => {
  test('root-allowed: the bytes', async () => {
    const r = await call('root-allowed', 'GET', `${podPath()}/files/download?container=app&path=/tmp/secret`);
    assert.equal(r.status, 200);
    assert.equal(r.text, 'secret\n');
  });
  test('non-root: the container refuses uid 1000 (403), never read as root', async () => {
    const r = await call('non-root', 'GET', `${podPath()}/files/download?container=app&path=/tmp/secret`);
    assert.equal(r.status, 403, r.text);
    assert.match(String(r.json?.['error']), /may not access \/tmp\/secret/);
  });
  test('no-exec: 403 and a refused record', async () => {
    const r = await call('no-exec', 'GET', `${podPath()}/files/download?container=app&path=/tmp/secret`);
    assert.equal(r.status, 403);
    await assertRefused('no-exec', 'file-download', NO_EXEC);
  });
});

describe('file upload', () => {
  const owner = async (file: string) =>
    (await kubectl(['-n', ns, 'exec', pod, '--', 'stat', '-c', '%u', file])).stdout.trim();
  test('root-allowed: written as root', async () => {
    const r = await call(
      'root-allowed',
      'PUT',
      `${podPath()}/files/upload?container=app&path=/tmp/up-root`,
      undefined,
      'x',
    );
    assert.equal(r.status, 200, r.text);
    assert.equal(await owner('/tmp/up-root'), '0');
  });
  test('non-root: written as uid 1000', async () => {
    const r = await call(
      'non-root',
      'PUT',
      `${podPath()}/files/upload?container=app&path=/tmp/up-user`,
      undefined,
      'x',
    );
    assert.equal(r.status, 200, r.text);
    assert.equal(await owner('/tmp/up-user'), '1000');
    assert.deepEqual((await lastRecord('non-root', 'file-upload')).details['runAs'], {
      uid: 1000,
      tool: 'setpriv',
    });
  });
  test('no-exec: 403, nothing written, a refused record', async () => {
    const r = await call(
      'no-exec',
      'PUT',
      `${podPath()}/files/upload?container=app&path=/tmp/up-none`,
      undefined,
      'x',
    );
    assert.equal(r.status, 403);
    assert.equal(await owner('/tmp/up-none'), '', 'no file');
    await assertRefused('no-exec', 'file-upload', NO_EXEC);
  });
});

describe('debug container', () => {
  const debugContainers = async () => (await podJson(pod)).spec?.ephemeralContainers ?? [];
  test('root-allowed: sysadmin is allowed', async () => {
    const r = await call('root-allowed', 'POST', `${podPath()}/debug-containers`, {
      target: 'app',
      profile: 'sysadmin',
    });
    assert.equal(r.status, 201, r.text);
    const c = (await debugContainers()).find((x) => x.name === r.json?.['container']);
    assert.equal(c?.securityContext?.privileged, true);
  });
  test('non-root: runs as uid 1000 with runAsNonRoot, no escalation', async () => {
    const r = await call('non-root', 'POST', `${podPath()}/debug-containers`, {
      target: 'app',
      profile: 'general',
    });
    assert.equal(r.status, 201, r.text);
    const c = (await debugContainers()).find((x) => x.name === r.json?.['container']);
    assert.equal(c?.securityContext?.runAsUser, 1000);
    assert.equal(c?.securityContext?.runAsNonRoot, true);
    assert.equal(c?.securityContext?.allowPrivilegeEscalation, false);
    const uid = await kubectlOk([
      '-n',
      ns,
      'exec',
      pod,
      '-c',
      String(r.json?.['container']),
      '--',
      'id',
      '-u',
    ]);
    assert.equal(uid.trim(), '1000');
  });
  test('non-root: sysadmin, netadmin and uid 0 are refused, nothing is added', async () => {
    const before = (await debugContainers()).length;
    for (const body of [
      { target: 'app', profile: 'sysadmin' },
      { target: 'app', profile: 'netadmin' },
      { target: 'app', profile: 'general', runAsUser: 0 },
    ]) {
      const r = await call('non-root', 'POST', `${podPath()}/debug-containers`, body);
      assert.equal(r.status, 403, JSON.stringify(body));
      await assertRefused('non-root', 'debug', /root/);
    }
    assert.equal((await debugContainers()).length, before);
  });
  test('no-exec: 403, nothing added, a refused record', async () => {
    const before = (await debugContainers()).length;
    const r = await call('no-exec', 'POST', `${podPath()}/debug-containers`, { target: 'app' });
    assert.equal(r.status, 403);
    assert.equal((await debugContainers()).length, before);
    await assertRefused('no-exec', 'debug', NO_EXEC);
  });
});

describe('pod copy', () => {
  const copies = async () =>
    (await kubectlOk(['-n', ns, 'get', 'pods', '-l', 'podscope.io/debug-pod=copy', '-o', 'name']))
      .split('\n')
      .filter(Boolean).length;
  test('root-allowed: a copy as the pod is', async () => {
    const r = await call('root-allowed', 'POST', `${podPath()}/copies`, { container: 'app' });
    assert.equal(r.status, 201, r.text);
    const copy = await podJson(String(r.json?.['pod']));
    assert.equal(copy.spec?.securityContext?.runAsNonRoot, undefined);
    await kubectl(['-n', ns, 'delete', 'pod', String(r.json?.['pod']), '--wait=false']);
  });
  test('non-root: the copy runs as uid 1000 with runAsNonRoot', async () => {
    const r = await call('non-root', 'POST', `${podPath()}/copies`, { container: 'app' });
    assert.equal(r.status, 201, r.text);
    const name = String(r.json?.['pod']);
    const copy = await podJson(name);
    assert.equal(copy.spec?.securityContext?.runAsNonRoot, true);
    assert.equal(copy.spec?.containers[0]?.securityContext?.runAsUser, 1000);
    assert.equal((await kubectlOk(['-n', ns, 'exec', name, '--', 'id', '-u'])).trim(), '1000');
    await kubectl(['-n', ns, 'delete', 'pod', name, '--wait=false']);
  });
  test('non-root: a sysadmin copy is refused; no-exec: every copy is refused', async () => {
    const before = await copies();
    const a = await call('non-root', 'POST', `${podPath()}/copies`, {
      container: 'app',
      profile: 'sysadmin',
    });
    assert.equal(a.status, 403);
    await assertRefused('non-root', 'copy', /sysadmin profile/);
    const b = await call('no-exec', 'POST', `${podPath()}/copies`, { container: 'app' });
    assert.equal(b.status, 403);
    await assertRefused('no-exec', 'copy', NO_EXEC);
    assert.equal(await copies(), before, 'no copy was created');
  });
});

describe('node debug', () => {
  const nodePods = async () =>
    (await kubectlOk(['-n', ns, 'get', 'pods', '-l', 'podscope.io/debug-pod=node', '-o', 'name']))
      .split('\n')
      .filter(Boolean);
  const nodePath = async () => {
    const node = (await kubectlOk(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    return `/api/clusters/${CLUSTER}/nodes/${node}/debug`;
  };
  test('root-allowed: a node pod in the configured namespace', async () => {
    const r = await call('root-allowed', 'POST', await nodePath(), { profile: 'general' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json?.['namespace'], ns);
    await kubectl(['-n', ns, 'delete', 'pod', String(r.json?.['pod']), '--wait=false']);
  });
  test('non-root and no-exec: refused, no pod, refused records', async () => {
    const before = await nodePods();
    for (const policy of ['non-root', 'no-exec'] as const) {
      const r = await call(policy, 'POST', await nodePath(), {});
      assert.equal(r.status, 403, `${policy}: ${r.text}`);
      assert.match(String(r.json?.['error']), /Node debugging is not allowed here/);
      await assertRefused(policy, 'node-debug', policy === 'no-exec' ? NO_EXEC : /runs as root/);
    }
    // The previous test's pod may still be going away (deleted with --wait=false): no pod is new.
    const added = (await nodePods()).filter((p) => !before.includes(p));
    assert.deepEqual(added, []);
  });
});
