// The three ways an upload reaches a container, on the real cluster: tee with sha256sum hashing the same
// stream in the container (an image with sh), a one-file tar archive streamed to `tar -x` (no sh, a
// request with a Content-Length, an image that has tar) and plain tee (no sh and no tar, or no
// Content-Length without sh). All byte-identical (every byte value, a few MB); refused or broken uploads
// leave nothing in the container — not the file, not its temporary name.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { UploadResult } from '../../../src/shared/debug/debug-api.js';
import type { AuditSessionView } from '../../../src/shared/audit/api.js';
import type { SessionWithCommands } from '../../../src/server/audit/audit-store.js';
import { parseConfig } from '../../../src/server/config/podscope-config.js';
import { APP_IMAGE, waitFor } from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { createPod, deletePod, execIn, NS, waitContainerRunning } from '../debug/debug-helpers.js';

const LIMIT = 8 * 1024 * 1024;
let podscope: RunningPodscope;
let refusing: RunningPodscope;
let app: string;
let shless: string;
let tarless: string;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A few MB holding every byte value (each in every position of a 256-byte run), then random bytes. */
function payload(): Buffer {
  const runs = Buffer.alloc(256 * 256);
  for (let i = 0; i < runs.length; i++) runs[i] = (i + Math.floor(i / 256)) % 256;
  return Buffer.concat([runs, randomBytes(5 * 1024 * 1024 - 3), runs]);
}

before(async () => {
  podscope = await startPodscope({ debug: { maxFileBytes: LIMIT } });
  refusing = await startPodscope({
    config: parseConfig({ execPolicy: { rules: [{ namespace: NS, policy: 'no-exec' }] } }),
    debug: { maxFileBytes: LIMIT },
  });
  const spec = {
    containers: [{ name: 'app', image: APP_IMAGE, imagePullPolicy: 'Never', command: ['sleep', '100000'] }],
  };
  [app, shless, tarless] = await Promise.all([
    createPod('upload-sh', spec),
    createPod('upload-nosh', spec),
    createPod('upload-notar', spec),
  ]);
  await Promise.all([app, shless, tarless].map((p) => waitContainerRunning(p, 'app')));
  // Images without a shell, and without a shell or tar, as distroless ones: busybox's links removed.
  for (const [pod, tools] of [
    [shless, ['sh']],
    [tarless, ['tar', 'sh']],
  ] as const) {
    // (Not `command -v`: busybox sh finds its own applets without the link; an exec does not.)
    const check = `for d in /bin /usr/bin /sbin /usr/sbin /usr/local/bin; do for t in ${tools.join(' ')}; do [ -e "$d/$t" ] && echo "$d/$t"; done; done; echo checked`;
    // The check runs in the shell before its own link goes (a running shell keeps its binary).
    assert.equal(
      (
        await execIn(pod, 'app', ['sh', '-c', `rm ${tools.map((t) => `/bin/${t}`).join(' ')}; ${check}`])
      ).trim(),
      'checked',
    );
  }
});
after(async () => {
  await Promise.all([deletePod(app), deletePod(shless), deletePod(tarless)]);
  await Promise.all([podscope.close(), refusing.close()]);
});

const uploadPath = (pod: string, params: Record<string, string>) =>
  `/api/clusters/${CLUSTER}/namespaces/${NS}/pods/${pod}/files/upload?${new URLSearchParams({ container: 'app', ...params }).toString()}`;

async function upload(
  server: RunningPodscope,
  pod: string,
  params: Record<string, string>,
  data: Buffer | ReadableStream<Uint8Array>,
) {
  const res = await server.fetch(uploadPath(pod, params), {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: data,
    duplex: 'half',
  } as RequestInit);
  return { status: res.status, body: (await res.json()) as UploadResult & { error: string } };
}

/** `data` as a body without a Content-Length (chunked). */
function streamed(data: Buffer): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= data.length) return controller.close();
      controller.enqueue(new Uint8Array(data.subarray(at, at + 100_000)));
      at += 100_000;
    },
  });
}

const inContainer = async (pod: string, file: string) =>
  (await execIn(pod, 'app', ['sha256sum', file])).split(' ')[0];
const tmpEntries = async (pod: string) =>
  (await execIn(pod, 'app', ['ls', '-a', '/tmp'])).split('\n').filter((n) => n && n !== '.' && n !== '..');
const method = async (session: string) =>
  (await podscope.getJson<SessionWithCommands>(`/api/audit/sessions/${session}`)).body;

describe('byte-identical both ways', () => {
  const data = payload();

  test('into an image with sh: tee, the container hashing the stream as it writes it', async () => {
    const up = await upload(podscope, app, { path: '/tmp/sh.bin' }, data);
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal(up.body.size, data.length);
    assert.equal(up.body.sha256, sha(data));
    assert.equal(await inContainer(app, '/tmp/sh.bin'), sha(data));
    const rec = await method(up.body.auditSession);
    assert.equal(rec.details['method'], 'tee-sha256');
    assert.deepEqual(rec.command.slice(0, 2), ['sh', '-c']);
    assert.equal(rec.outcome?.['verifiedInContainer'], sha(data));
    const down = await podscope.fetch(
      `/api/clusters/${CLUSTER}/namespaces/${NS}/pods/${app}/files/download?container=app&path=/tmp/sh.bin`,
    );
    assert.equal(sha(Buffer.from(await down.arrayBuffer())), sha(data));
    assert.deepEqual(await tmpEntries(app), ['sh.bin'], 'no temporary file left');
  });

  test('without a Content-Length, the same way', async () => {
    const up = await upload(podscope, app, { path: '/tmp/chunked.bin' }, streamed(data));
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal(up.body.sha256, sha(data));
    assert.equal(await inContainer(app, '/tmp/chunked.bin'), sha(data));
    const rec = await method(up.body.auditSession);
    assert.equal(rec.details['method'], 'tee-sha256');
    assert.equal(rec.outcome?.['verifiedInContainer'], sha(data));
  });

  test('an image without sh, with a Content-Length: through `tar -x`', async () => {
    const up = await upload(podscope, shless, { path: '/tmp/tar.bin' }, data);
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal(up.body.sha256, sha(data));
    assert.equal(await inContainer(shless, '/tmp/tar.bin'), sha(data));
    const rec = await method(up.body.auditSession);
    assert.equal(rec.details['method'], 'tar');
    assert.equal(rec.command[0], 'tar');
    assert.equal(rec.outcome?.['verifiedInContainer'], sha(data));
    const mode = (await execIn(shless, 'app', ['stat', '-c', '%a %u', '/tmp/tar.bin'])).trim();
    assert.equal(mode, '644 0');
    assert.deepEqual(await tmpEntries(shless), ['tar.bin'], 'no temporary file left');
  });

  test('an image without sh, without a Content-Length: through tee', async () => {
    const up = await upload(podscope, shless, { path: '/tmp/tee.bin' }, streamed(data));
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal(await inContainer(shless, '/tmp/tee.bin'), sha(data));
    assert.equal((await method(up.body.auditSession)).details['method'], 'tee');
  });

  test('an image without sh or tar falls back to tee', async () => {
    const up = await upload(podscope, tarless, { path: '/tmp/fallback.bin' }, data);
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal(await inContainer(tarless, '/tmp/fallback.bin'), sha(data));
    assert.equal((await method(up.body.auditSession)).details['method'], 'tee');
  });

  test('a download from an image without tar: stat, then cat — byte-identical, both commands audited', async () => {
    const up = await upload(podscope, tarless, { path: '/tmp/down.bin' }, data);
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const down = await podscope.fetch(
      `/api/clusters/${CLUSTER}/namespaces/${NS}/pods/${tarless}/files/download?container=app&path=/tmp/down.bin`,
    );
    assert.equal(down.status, 200);
    assert.equal(down.headers.get('x-podscope-file-size'), String(data.length));
    assert.equal(sha(Buffer.from(await down.arrayBuffer())), sha(data));
    const id = down.headers.get('x-podscope-audit-session')!;
    const rec = await waitFor(
      'the download record to end',
      async () => {
        const r = await method(id);
        return r.endedAt ? r : undefined;
      },
      15_000,
      100,
    );
    assert.equal(rec.command[0], 'tar');
    assert.deepEqual(
      rec.commands.map((c) => c.line),
      ['cat -- /tmp/down.bin'],
    );
    assert.equal(rec.outcome?.['sha256'], sha(data));
    await execIn(tarless, 'app', ['rm', '-f', '/tmp/down.bin']);
  });

  for (const [way, pod] of [
    ['tee-sha256', () => app],
    ['tar', () => shless],
  ] as const) {
    test(`overwrite=true replaces a file, and an empty file arrives empty (${way})`, async () => {
      const small = randomBytes(1000);
      const first = await upload(podscope, pod(), { path: '/tmp/over.bin' }, randomBytes(10));
      assert.equal(first.status, 200, JSON.stringify(first.body));
      const up = await upload(podscope, pod(), { path: '/tmp/over.bin', overwrite: 'true' }, small);
      assert.equal(up.status, 200, JSON.stringify(up.body));
      assert.equal((await method(up.body.auditSession)).details['method'], way);
      assert.equal(await inContainer(pod(), '/tmp/over.bin'), sha(small));
      const empty = await upload(podscope, pod(), { path: '/tmp/empty.bin' }, Buffer.alloc(0));
      assert.equal(empty.status, 200, JSON.stringify(empty.body));
      assert.equal((await execIn(pod(), 'app', ['stat', '-c', '%s', '/tmp/empty.bin'])).trim(), '0');
    });
  }
  after(async () => {
    for (const pod of [app, shless]) {
      await execIn(pod, 'app', [
        'rm',
        '-f',
        '/tmp/sh.bin',
        '/tmp/chunked.bin',
        '/tmp/tar.bin',
        '/tmp/tee.bin',
        '/tmp/over.bin',
        '/tmp/empty.bin',
      ]);
    }
  });
});

describe('refused or broken: nothing is written', () => {
  test('refused by the exec policy (no-exec)', async () => {
    const up = await upload(refusing, app, { path: '/tmp/refused.bin' }, randomBytes(10_000));
    assert.equal(up.status, 403, JSON.stringify(up.body));
    assert.deepEqual(await tmpEntries(app), []);
  });

  test('over the size limit', async () => {
    const up = await upload(podscope, app, { path: '/tmp/big.bin' }, randomBytes(LIMIT + 1));
    assert.equal(up.status, 413);
    assert.match(up.body.error, /Nothing was written/);
    assert.deepEqual(await tmpEntries(app), []);
  });

  test('a bad name', async () => {
    const up = await upload(podscope, app, { path: '/tmp/../etc/evil' }, Buffer.from('x'));
    assert.equal(up.status, 400);
    assert.deepEqual(await tmpEntries(app), []);
    assert.match(await execIn(app, 'app', ['ls', '/etc']), /passwd/);
    assert.doesNotMatch(await execIn(app, 'app', ['ls', '/etc']), /evil/);
  });

  test('an existing file without overwrite stays as it was', async () => {
    await execIn(app, 'app', ['sh', '-c', 'echo keep > /tmp/keep.txt']);
    const up = await upload(podscope, app, { path: '/tmp/keep.txt' }, randomBytes(5000));
    assert.equal(up.status, 409);
    assert.equal(await execIn(app, 'app', ['cat', '/tmp/keep.txt']), 'keep\n');
    assert.deepEqual(await tmpEntries(app), ['keep.txt']);
    await execIn(app, 'app', ['rm', '-f', '/tmp/keep.txt']);
  });

  for (const [way, pod] of [
    ['tee-sha256', () => app],
    ['tar', () => shless],
  ] as const) {
    test(`a body cut short of its Content-Length: what arrived is removed (${way})`, async () => {
      const url = new URL(`${podscope.url}${uploadPath(pod(), { path: '/tmp/cut.bin' })}`);
      const declared = 4 * 1024 * 1024;
      await new Promise<void>((resolve) => {
        const req = http.request(url, {
          method: 'PUT',
          headers: {
            ...podscope.headers,
            'content-type': 'application/octet-stream',
            'content-length': String(declared),
          },
        });
        req.on('error', () => resolve());
        req.on('response', (res) => (res.resume(), resolve()));
        // Half of it, then the connection drops.
        req.write(randomBytes(declared / 2), () => setTimeout(() => (req.destroy(), resolve()), 500));
      });
      // The server notices the drop, stops the command, removes what it wrote, then ends the record.
      const rec = await waitFor(
        'the record of the cut upload to end',
        async () => {
          const list = await podscope.getJson<{ sessions: AuditSessionView[] }>(
            `/api/audit/sessions?pod=${pod()}&kind=file-upload&limit=50`,
          );
          return list.body.sessions.find((x) => x.details['path'] === '/tmp/cut.bin' && x.endedAt !== null);
        },
        30_000,
        250,
      );
      assert.equal(rec.details['method'], way);
      assert.match(rec.error ?? '', /ended after|interrupted/);
      assert.ok(!(await tmpEntries(pod())).some((n) => n.includes('cut.bin')));
    });
  }
});
