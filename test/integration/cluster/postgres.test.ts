// The local cluster's PostgreSQL (cluster/postgres.sh): one instance, idempotent start, a database and
// user for Podscope with a generated password, reachable from pods on the node IP — where only that user
// is let in, and only with the password.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DEBUG_IMAGE, kubectl, kubectlOk, stateDir, uniqueName, waitFor } from '../../support/cluster.js';
import { ensurePostgres, runPostgresScript } from '../../support/postgres.js';

const NODE_IP = '10.213.0.1';
const pgDir = process.env['PODSCOPE_PG_DIR'] ?? path.join(stateDir, 'postgres');

test('start is idempotent: the same server and password, a URL for the host and one for pods', async () => {
  const url = await ensurePostgres();
  const pid = readFileSync(path.join(pgDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0];
  const again = await runPostgresScript(['start']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /postgres: ready/);
  assert.doesNotMatch(again.stderr, /[0-9a-f]{48}/, 'the password is not printed');
  assert.equal(readFileSync(path.join(pgDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0], pid);
  assert.equal((await runPostgresScript(['url'])).stdout.trim(), url);

  const password = readFileSync(path.join(pgDir, 'password'), 'utf8').trim();
  assert.match(password, /^[0-9a-f]{48}$/);
  assert.equal(statSync(path.join(pgDir, 'password')).mode & 0o777, 0o600);
  assert.equal(statSync(path.join(pgDir, 'data')).mode & 0o777, 0o700);
  const u = new URL(url);
  assert.deepEqual(
    [u.username, u.password, u.hostname, u.pathname],
    ['podscope', password, '127.0.0.1', '/podscope'],
  );
  const node = new URL((await runPostgresScript(['url', '--node'])).stdout.trim());
  assert.deepEqual([node.hostname, node.port, node.password], [NODE_IP, u.port, password]);

  const status = await runPostgresScript(['status']);
  assert.equal(status.code, 0);
  assert.match(
    status.stdout,
    new RegExp(`running .*127\\.0\\.0\\.1,${NODE_IP.replace(/\./g, '\\.')}:${u.port}`),
  );
});

test('a pod reaches it on the node IP; only the podscope user may try, with a password', async () => {
  const port = new URL(await ensurePostgres()).port;
  // Raw protocol from bash: an SSLRequest, then StartupMessages (protocol 3.0) for two users; the first
  // byte of each answer tells what the server makes of it.
  const startup = (user: string, db: string) => {
    const body = `user\\x00${user}\\x00database\\x00${db}\\x00\\x00`;
    const length = 8 + user.length + db.length + 'user'.length + 'database'.length + 5;
    return `\\x00\\x00\\x00\\x${length.toString(16).padStart(2, '0')}\\x00\\x03\\x00\\x00${body}`;
  };
  const script = [
    'probe() { exec 3<>"/dev/tcp/$HOST/$PORT" || { echo unreachable; return; }; printf "$1" >&3; head -c1 <&3; echo; exec 3<&-; }',
    `probe '\\x00\\x00\\x00\\x08\\x04\\xd2\\x16\\x2f'`,
    `probe '${startup('podscope', 'podscope')}'`,
    `probe '${startup('postgres', 'postgres')}'`,
  ].join('\n');
  const name = uniqueName('pg-reach');
  const manifest = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'demo', labels: { 'podscope-test': 'true' } },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'probe',
          image: DEBUG_IMAGE,
          imagePullPolicy: 'Never',
          command: ['bash', '-c', script],
          env: [
            { name: 'HOST', value: NODE_IP },
            { name: 'PORT', value: port },
          ],
        },
      ],
    },
  };
  const created = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
  assert.equal(created.code, 0, created.stderr);
  try {
    await waitFor(
      'the probe pod to finish',
      async () => {
        const phase = await kubectlOk(['-n', 'demo', 'get', 'pod', name, '-o', 'jsonpath={.status.phase}']);
        return phase === 'Succeeded' || phase === 'Failed' ? phase : undefined;
      },
      120_000,
      500,
    );
    const logs = await kubectlOk(['-n', 'demo', 'logs', name]);
    // N: no TLS, but the server answers; R: podscope is asked for its password (pg_hba lets pods in);
    // E: postgres is refused outright (the superuser only over the local socket).
    assert.deepEqual(logs.trim().split('\n'), ['N', 'R', 'E']);
  } finally {
    await kubectl(['-n', 'demo', 'delete', 'pod', name, '--wait=false', '--ignore-not-found']);
  }
});
