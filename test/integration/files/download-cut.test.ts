// A file download announces its length (Content-Length, from the tar entry's header) and a download
// whose command dies half-way ends as a failed download for the client — never a short file that looks
// complete — with the audit record saying so. On the real cluster: the container's tar is killed while
// the client holds the stream back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APP_IMAGE } from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { createPod, deletePod, execIn, NS, waitContainerRunning } from '../debug/debug-helpers.js';

const SIZE = 64 * 1024 * 1024;
let podscope: RunningPodscope;
let app: string;

before(async () => {
  podscope = await startPodscope();
  app = await createPod('files-cut', {
    containers: [{ name: 'app', image: APP_IMAGE, imagePullPolicy: 'Never', command: ['sleep', '100000'] }],
  });
  await waitContainerRunning(app, 'app');
  await execIn(app, 'app', ['dd', 'if=/dev/zero', 'of=/tmp/big', 'bs=1048576', `count=${SIZE / 1048576}`]);
});
after(async () => {
  await deletePod(app);
  await podscope.close();
});

const download = (path: string) =>
  podscope.fetch(
    `/api/clusters/${CLUSTER}/namespaces/${NS}/pods/${app}/files/download?${new URLSearchParams({ container: 'app', path })}`,
  );

test('a whole download: Content-Length is the file size, and that many bytes arrive', async () => {
  await execIn(app, 'app', ['sh', '-c', 'printf hello > /tmp/small']);
  const res = await download('/tmp/small');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-length'), '5');
  assert.equal(res.headers.get('transfer-encoding'), null);
  assert.equal(await res.text(), 'hello');
});

test('the container side dies half-way: the client gets an error, not a short file', async () => {
  const res = await download('/tmp/big');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-length'), String(SIZE));
  const auditId = res.headers.get('x-podscope-audit-session');
  assert.ok(auditId);
  const reader = res.body!.getReader();
  let received = (await reader.read()).value?.length ?? 0;
  // Held back, the stream stops at the buffers' size; the tar still has most of the file to send.
  await new Promise((r) => setTimeout(r, 1000));
  // The image has no pkill: the tar is found by its /proc entry.
  const killed = await execIn(app, 'app', [
    'sh',
    '-c',
    'for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = tar ] && kill -9 ${p#/proc/} && echo ${p#/proc/}; done; true',
  ]);
  assert.match(killed, /^\d+/, 'a tar was running');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const error = await Promise.race([
    (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return null;
          received += value.length;
        }
      } catch (err) {
        return err as Error;
      }
    })(),
    // At once, not when some idle timeout gives up on a response that stopped short of its length.
    new Promise<string>((r) => (timer = setTimeout(() => r('stalled'), 20_000))),
  ]);
  clearTimeout(timer);
  assert.notEqual(error, 'stalled', `the body stalled after ${received} of ${SIZE} bytes`);
  assert.ok(error, `the body ended normally after ${received} of ${SIZE} bytes`);
  assert.ok(received < SIZE, `${received} bytes`);
  // The audit record ends with the failure and the bytes that did go out.
  const session = await podscope.endedAuditSession(auditId);
  assert.equal(session.kind, 'file-download');
  assert.match(session.error ?? '', /tar failed|browser went away/);
});
