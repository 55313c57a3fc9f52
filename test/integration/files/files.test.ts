// Browse, download and upload files in containers on the real cluster: byte-identical both ways (sha256),
// through a debug container when the app image has no tools, with bad paths and oversized files refused
// before anything is written.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type {
  DebugContainerCreated,
  DirectoryListing,
  UploadResult,
} from '../../../src/shared/debug/debug-api.js';
import type { SessionWithCommands } from '../../../src/server/audit/audit-store.js';
import { APP_IMAGE } from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { createPod, deletePod, execIn, NS, request, waitContainerRunning } from '../debug/debug-helpers.js';

const LIMIT = 1024 * 1024;
let podscope: RunningPodscope;
let app: string;
let noshell: string;
let shared: string;
const created: string[] = [];
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

before(async () => {
  podscope = await startPodscope({ debug: { maxFileBytes: LIMIT } });
  app = await createPod('files-app', {
    containers: [{ name: 'app', image: APP_IMAGE, imagePullPolicy: 'Never', command: ['sleep', '100000'] }],
  });
  noshell = await createPod('files-noshell', {
    containers: [{ name: 'app', image: 'podscope.local/noshell:1', imagePullPolicy: 'Never' }],
  });
  shared = await createPod('files-shared', {
    shareProcessNamespace: true,
    containers: [
      {
        name: 'app',
        image: APP_IMAGE,
        imagePullPolicy: 'Never',
        command: ['sh', '-c', 'echo "I am $HOSTNAME" > /tmp/id.txt; exec sleep 100000'],
      },
    ],
  });
  created.push(app, noshell, shared);
  await Promise.all(created.map((p) => waitContainerRunning(p, 'app')));
});
after(async () => {
  await Promise.all(created.map((p) => deletePod(p)));
  await podscope.close();
});

const files = (pod: string) => `/api/clusters/${CLUSTER}/namespaces/${NS}/pods/${pod}/files`;
const q = (params: Record<string, string>) => `?${new URLSearchParams(params).toString()}`;

async function download(pod: string, params: Record<string, string>) {
  const res = await podscope.fetch(`${files(pod)}/download${q(params)}`);
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body };
}

async function upload(
  pod: string,
  params: Record<string, string>,
  data: Buffer | ReadableStream<Uint8Array>,
) {
  const res = await podscope.fetch(`${files(pod)}/upload${q(params)}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: data,
    duplex: 'half',
  } as RequestInit);
  return { status: res.status, body: (await res.json()) as UploadResult & { error: string } };
}

const lsTmp = async (pod: string, container = 'app', dir = '/tmp') =>
  (await execIn(pod, container, ['ls', '-a', dir])).split('\n').filter((n) => n && n !== '.' && n !== '..');

describe('browse', () => {
  test('lists a directory with types and sizes, directories first', async () => {
    const r = await podscope.getJson<DirectoryListing>(
      `${files(app)}${q({ container: 'app', path: '/etc' })}`,
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const passwd = r.body.entries.find((e) => e.name === 'passwd');
    const expected = await execIn(app, 'app', ['cat', '/etc/passwd']);
    assert.equal(passwd?.type, 'file');
    assert.equal(passwd?.size, Buffer.byteLength(expected));
    const root = await podscope.getJson<DirectoryListing>(
      `${files(app)}${q({ container: 'app', path: '/' })}`,
    );
    for (const d of ['bin', 'etc', 'tmp']) {
      assert.equal(root.body.entries.find((e) => e.name === d)?.type, 'directory', d);
    }
  });
  test('a missing directory is a 404, a file is not a directory', async () => {
    const missing = await podscope.getJson<{ error: string }>(
      `${files(app)}${q({ container: 'app', path: '/nope' })}`,
    );
    assert.equal(missing.status, 404);
    assert.match(missing.body.error, /\/nope does not exist in container "app"/);
    const file = await podscope.getJson<{ error: string }>(
      `${files(app)}${q({ container: 'app', path: '/etc/passwd' })}`,
    );
    assert.equal(file.status, 400);
    assert.match(file.body.error, /is not a directory/);
  });
});

describe('upload then download', () => {
  const data = randomBytes(300 * 1024);
  let result: UploadResult;

  test('round-trips byte-identical and is verified in the container', async () => {
    const up = await upload(app, { container: 'app', path: '/tmp/data.bin' }, data);
    assert.equal(up.status, 200, JSON.stringify(up.body));
    result = up.body;
    assert.equal(result.size, data.length);
    assert.equal(result.sha256, sha(data));
    assert.equal((await execIn(app, 'app', ['sha256sum', '/tmp/data.bin'])).split(' ')[0], sha(data));
    const down = await download(app, { container: 'app', path: '/tmp/data.bin' });
    assert.equal(down.status, 200);
    assert.equal(down.headers.get('x-podscope-file-size'), String(data.length));
    assert.match(down.headers.get('content-disposition') ?? '', /attachment; filename="data.bin"/);
    assert.equal(sha(down.body), sha(data));
    assert.deepEqual(await lsTmp(app), ['data.bin'], 'no temporary file left');
  });

  test('both transfers are audited with size and sha256', async () => {
    const up = (await podscope.getJson<SessionWithCommands>(`/api/audit/sessions/${result.auditSession}`))
      .body;
    assert.equal(up.kind, 'file-upload');
    assert.equal(up.details['path'], '/tmp/data.bin');
    assert.equal(up.bytesIn, data.length);
    assert.equal(up.outcome?.['sha256'], sha(data));
    assert.equal(up.outcome?.['bytes'], data.length);
    const down = await download(app, { container: 'app', path: '/tmp/data.bin' });
    const id = down.headers.get('x-podscope-audit-session')!;
    // The record is ended once the exec behind the download has exited, just after the body ends.
    const rec = await podscope.endedAuditSession(id, 15_000);
    assert.equal(rec.kind, 'file-download');
    assert.equal(rec.bytesOut, data.length);
    assert.equal(rec.outcome?.['sha256'], sha(data));
  });

  test('an existing file is replaced only with overwrite=true', async () => {
    const again = await upload(app, { container: 'app', path: '/tmp/data.bin' }, Buffer.from('x'));
    assert.equal(again.status, 409);
    assert.match(again.body.error, /already exists; upload with overwrite=true/);
    assert.equal((await execIn(app, 'app', ['sha256sum', '/tmp/data.bin'])).split(' ')[0], sha(data));
    const forced = await upload(
      app,
      { container: 'app', path: '/tmp/data.bin', overwrite: 'true' },
      Buffer.from('x'),
    );
    assert.equal(forced.status, 200);
    assert.equal(await execIn(app, 'app', ['cat', '/tmp/data.bin']), 'x');
  });

  test('a directory downloads as a .tar.gz of its files', async () => {
    await execIn(app, 'app', [
      'sh',
      '-c',
      'mkdir -p /tmp/dir/sub && echo one > /tmp/dir/a.txt && echo two > /tmp/dir/sub/b.txt',
    ]);
    const down = await download(app, { container: 'app', path: '/tmp/dir' });
    assert.equal(down.status, 200);
    assert.equal(down.headers.get('content-type'), 'application/gzip');
    assert.match(down.headers.get('content-disposition') ?? '', /filename="dir.tar.gz"/);
    const dir = mkdtempSync(path.join(tmpdir(), 'podscope-tgz-'));
    try {
      writeFileSync(path.join(dir, 'x.tgz'), down.body);
      execFileSync('tar', ['xzf', 'x.tgz'], { cwd: dir });
      assert.equal(readFileSync(path.join(dir, 'dir/a.txt'), 'utf8'), 'one\n');
      assert.equal(readFileSync(path.join(dir, 'dir/sub/b.txt'), 'utf8'), 'two\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('refused: nothing is written', () => {
  test('an upload over the limit (Content-Length) is refused before it starts', async () => {
    const up = await upload(app, { container: 'app', path: '/tmp/big.bin' }, randomBytes(LIMIT + 1));
    assert.equal(up.status, 413);
    assert.match(up.body.error, /more than the upload limit of 1048576 bytes\. Nothing was written/);
    assert.ok(!(await lsTmp(app)).some((n) => n.includes('big.bin')));
  });

  test('a streamed upload (no Content-Length) is cut at the limit and its partial file removed', async () => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 3 * LIMIT) return controller.close();
        sent += 64 * 1024;
        controller.enqueue(randomBytes(64 * 1024));
      },
    });
    const up = await upload(app, { container: 'app', path: '/tmp/streamed.bin' }, stream);
    assert.equal(up.status, 413);
    assert.match(up.body.error, /Nothing was written/);
    const left = await lsTmp(app);
    assert.ok(!left.some((n) => n.includes('streamed.bin')), left.join(' '));
  });

  test('a download over the limit is refused with its size', async () => {
    await execIn(app, 'app', ['dd', 'if=/dev/zero', 'of=/tmp/large', 'bs=1024', `count=${LIMIT / 1024 + 1}`]);
    const down = await download(app, { container: 'app', path: '/tmp/large' });
    assert.equal(down.status, 413);
    assert.match(down.body.toString(), /is 1049600 bytes, more than the download limit of 1048576 bytes/);
  });

  const badPaths: [string, RegExp][] = [
    ['/tmp/../etc/passwd', /must not contain '\.\.' segments/],
    ['tmp/x', /must be absolute/],
    ['/tmp//x', /not normalized/],
    ['/tmp/a\u0000b', /control or invisible characters/],
    ['/tmp/a\nb', /control or invisible characters/],
  ];
  for (const [p, why] of badPaths) {
    test(`path ${JSON.stringify(p)} is refused for download and upload`, async () => {
      const down = await download(app, { container: 'app', path: p });
      assert.equal(down.status, 400);
      assert.match(down.body.toString(), why);
      const up = await upload(app, { container: 'app', path: p }, Buffer.from('evil'));
      assert.equal(up.status, 400);
      assert.match(up.body.error, why);
    });
  }

  test('a symbolic link and a fifo are refused; the fifo is never read (nothing writes to it)', async () => {
    await execIn(app, 'app', ['sh', '-c', 'ln -sf /etc/hostname /tmp/lnk && mkfifo /tmp/fifo']);
    try {
      const link = await download(app, { container: 'app', path: '/tmp/lnk' });
      assert.equal(link.status, 400);
      assert.match(link.body.toString(), /is a symbolic link; download the path it points to/);
      // Reading a fifo without a writer would block: an answer at all shows it was not read.
      const fifo = await download(app, { container: 'app', path: '/tmp/fifo' });
      assert.equal(fifo.status, 400);
      assert.match(fifo.body.toString(), /is not a regular file or a directory/);
    } finally {
      await execIn(app, 'app', ['rm', '-f', '/tmp/lnk', '/tmp/fifo']);
    }
  });

  test('a missing file is a 404; an upload into a missing directory writes nothing', async () => {
    const down = await download(app, { container: 'app', path: '/tmp/missing.txt' });
    assert.equal(down.status, 404);
    assert.match(
      (JSON.parse(down.body.toString()) as { error: string }).error,
      /\/tmp\/missing.txt does not exist in container "app"/,
    );
    const up = await upload(app, { container: 'app', path: '/nodir/x.txt' }, Buffer.from('x'));
    assert.equal(up.status, 404);
    assert.match(up.body.error, /directory \/nodir does not exist/);
  });
});

describe('an app image without tools: through a debug container', () => {
  let debug: DebugContainerCreated;

  test('the app container alone cannot be browsed, and the error says why', async () => {
    const r = await podscope.getJson<{ error: string }>(
      `${files(noshell)}${q({ container: 'app', path: '/tmp' })}`,
    );
    assert.equal(r.status, 400);
    assert.match(r.body.error, /has no `stat` \(its image has no tools\); start a debug container/);
  });

  test('a debug container is the way in: it sees the app’s process', async () => {
    const r = await request<DebugContainerCreated>(
      podscope,
      'POST',
      `/api/clusters/${CLUSTER}/namespaces/${NS}/pods/${noshell}/debug-containers`,
      { target: 'app' },
    );
    assert.equal(r.status, 201, JSON.stringify(r.body));
    debug = r.body;
    assert.match(await execIn(noshell, debug.container, ['ps', '-eo', 'pid,args']), /^\s*1\s+\/app$/m);
  });

  test('lists the app’s /tmp and downloads its binary byte-identical (sha256)', async () => {
    const list = await podscope.getJson<DirectoryListing>(
      `${files(noshell)}${q({ container: 'app', path: '/tmp', via: debug.container })}`,
    );
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.ok(list.body.entries.some((e) => e.name === 'report.txt' && e.type === 'file'));
    const expected = (await execIn(noshell, debug.container, ['sha256sum', '/proc/1/root/app'])).split(
      ' ',
    )[0];
    const down = await download(noshell, { container: 'app', path: '/app', via: debug.container });
    assert.equal(down.status, 200);
    assert.ok(down.body.length > 1000);
    assert.equal(sha(down.body), expected);
    const report = await download(noshell, {
      container: 'app',
      path: '/tmp/report.txt',
      via: debug.container,
    });
    assert.match(report.body.toString(), /^orders processed: \d+\nstatus: degraded/);
  });

  test('uploads into the app’s filesystem', async () => {
    const data = randomBytes(10_000);
    const up = await upload(
      noshell,
      { container: 'app', path: '/tmp/from-browser.bin', via: debug.container },
      data,
    );
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const there = await execIn(noshell, debug.container, ['sha256sum', '/proc/1/root/tmp/from-browser.bin']);
    assert.equal(there.split(' ')[0], sha(data));
  });

  test('a symlink in the middle of a path resolves inside the app container, never the debug one', async () => {
    // In the app: /tmp/mid → /tmp/real (absolute), /tmp/real/marker = "app". The debug container has its
    // own /tmp/real/marker = "debug": read through /proc/1/root without a chroot, the absolute link
    // would resolve against the debug container's root and return that one.
    await execIn(noshell, debug.container, [
      'sh',
      '-c',
      'mkdir -p /proc/1/root/tmp/real /tmp/real && echo app > /proc/1/root/tmp/real/marker && ' +
        'echo debug > /tmp/real/marker && ln -sfn /tmp/real /proc/1/root/tmp/mid',
    ]);
    const down = await download(noshell, { container: 'app', path: '/tmp/mid/marker', via: debug.container });
    assert.equal(down.status, 200, down.body.toString());
    assert.equal(down.body.toString(), 'app\n');
  });

  test('via must be a debug container that targets the container', async () => {
    const r = await podscope.getJson<{ error: string }>(
      `${files(noshell)}${q({ container: 'app', path: '/tmp', via: 'app' })}`,
    );
    assert.equal(r.status, 400);
    assert.match(r.body.error, /has no debug container "app"/);
  });

  test('files of the debug container itself can be downloaded too', async () => {
    const down = await download(noshell, { container: debug.container, path: '/root/.bashrc' });
    assert.equal(down.status, 200);
    assert.match(down.body.toString(), /PS1=/);
  });

  test('with a shared process namespace, the app’s process is found by its cgroup', async () => {
    const r = await request<DebugContainerCreated>(
      podscope,
      'POST',
      `/api/clusters/${CLUSTER}/namespaces/${NS}/pods/${shared}/debug-containers`,
      { target: 'app' },
    );
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const down = await download(shared, { container: 'app', path: '/tmp/id.txt', via: r.body.container });
    assert.equal(down.status, 200, down.body.toString());
    assert.equal(down.body.toString(), `I am ${shared}\n`);
  });
});
