// A user debugs the crash-looping demo pod from the real UI: makes a copy whose container sleeps, opens a
// terminal in the copy (the lease stays held while moving there), runs a command, and deletes the copy,
// which kubectl then no longer finds. A pod stuck in Init:CrashLoopBackOff is copied with its failing
// init container as the target, the plan (what the copy changes) following each choice before creating.
// And the files of an image without any tools are browsed, downloaded and uploaded through a debug
// container.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { APP_IMAGE, kubectl, kubectlOk, repoRoot, uniqueName, waitFor } from '../support/cluster.js';
import { launchBrowser, openDesktopPage, waitForTerminalScreen } from '../support/browser.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../support/podscope.js';

let podscope: RunningPodscope;
let browser: Browser;
const results = path.join(repoRoot, 'test-results');
const created: string[] = [];

before(async () => {
  mkdirSync(results, { recursive: true });
  podscope = await startPodscope({
    webRoot: path.join(repoRoot, 'dist/web'),
    debug: { leaseGraceMs: 5_000 },
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await podscope?.close();
  // A copy a failed test left behind would otherwise wait for the reaper.
  for (const pod of created) {
    await kubectl([
      '-n',
      'demo',
      'delete',
      'pod',
      pod,
      '--ignore-not-found',
      '--wait=false',
      '--grace-period=0',
    ]);
  }
});

async function newPage(): Promise<Page> {
  const page = await openDesktopPage(browser, podscope);
  return page;
}

const podUrl = (pod: string, query: string): string =>
  `${podscope.url}/c/${CLUSTER}/ns/demo/pods/${pod}?${query}`;

async function podExists(name: string): Promise<boolean> {
  const r = await kubectl(['-n', 'demo', 'get', 'pod', name, '-o', 'name']);
  if (r.code === 0) return true;
  if (/NotFound/.test(r.stderr)) return false;
  throw new Error(r.stderr);
}

async function waitGone(name: string): Promise<void> {
  await waitFor(
    `pod demo/${name} to be deleted`,
    async () => ((await podExists(name)) ? undefined : true),
    60_000,
    500,
  );
}

async function waitLease(p: Page, state: string, timeoutMs = 120_000): Promise<void> {
  await p.waitForFunction(
    (s) => document.querySelector('[data-testid="copy-lease-status"]')?.getAttribute('data-state') === s,
    state,
    { timeout: timeoutMs },
  );
}

describe('debugging a copy of the crash-looping pod', () => {
  let page: Page;
  let copy = '';

  before(async () => {
    page = await newPage();
  });
  after(async () => page?.close());

  test('the Debug tab creates a copy and holds its lease', async () => {
    await page.goto(podUrl('crashloop', 'tab=debug'));
    assert.equal(await page.getByTestId('tab-debug').getAttribute('aria-selected'), 'true');
    assert.equal(await page.getByTestId('copy-container').inputValue(), 'app');
    assert.equal(
      await page.getByTestId('copy-keep-labels').isChecked(),
      false,
      'labels are dropped by default',
    );
    await page.getByTestId('copy-create').click();
    await waitLease(page, 'held');
    copy = (await page.getByTestId('copy-pod-name').textContent()) ?? '';
    assert.match(copy, /^crashloop-/);
    created.push(copy);
    assert.match((await page.getByTestId('copy-lease-status').textContent()) ?? '', /lease held/);
    assert.match((await page.getByTestId('copy-expiry').textContent()) ?? '', /Expires at the latest \d{4}-/);

    const pod = JSON.parse(await kubectlOk(['-n', 'demo', 'get', 'pod', copy, '-o', 'json'])) as {
      metadata: { labels?: Record<string, string> };
      status: { containerStatuses?: { name: string; state?: { running?: object } }[] };
    };
    assert.equal(pod.metadata.labels?.['app'], undefined, 'the copy gets no Service traffic');
    assert.ok(pod.status.containerStatuses?.find((c) => c.name === 'app')?.state?.running, 'the copy runs');
    await page.screenshot({ path: path.join(results, 'debug-copy.png') });
  });

  test('a terminal in the copy runs commands while the lease stays held', async () => {
    await page.getByTestId('copy-open-terminal').click();
    await page.waitForURL(
      (url) => url.pathname.endsWith(`/pods/${copy}`) && url.searchParams.get('tab') === 'terminal',
    );
    assert.equal(new URL(page.url()).searchParams.get('container'), 'app');
    // Moving to another pod's page does not drop the lease: the dock still shows it held.
    const dock = page.getByTestId('lease-dock');
    await dock.waitFor();
    assert.match((await dock.textContent()) ?? '', new RegExp(`${copy}.*leased`));

    await page.getByTestId('terminal-connect').click();
    await page.waitForFunction(() =>
      /Connected to app/.test(document.querySelector('[data-testid="terminal-status"]')?.textContent ?? ''),
    );
    await page.getByTestId('terminal-screen').click();
    await page.keyboard.type('echo debug-$((6*7))');
    await page.keyboard.press('Enter');
    await waitForTerminalScreen(page, /^debug-42\s*$/m, 'debug-42');
    // The copy's container sleeps instead of running the crashing command.
    await page.keyboard.type('ps -o pid,args');
    await page.keyboard.press('Enter');
    await waitForTerminalScreen(page, /\d+\s+sleep/, 'the sleeping main process');
    await page.screenshot({ path: path.join(results, 'debug-copy-terminal.png') });
    assert.ok(await podExists(copy), 'the copy is still there');
  });

  test('"Delete copy now" deletes it', async () => {
    await page.goBack();
    await page.waitForURL((url) => url.pathname.endsWith('/pods/crashloop'));
    await waitLease(page, 'held', 30_000);
    await page.getByTestId('copy-delete').click();
    await waitLease(page, 'deleted', 60_000);
    await waitGone(copy);
    assert.equal(await page.getByTestId('lease-dock').count(), 0, 'no lease is held any more');
  });
});

describe('a copy of a pod stuck in Init:CrashLoopBackOff', () => {
  let page: Page;
  const pod = uniqueName('init-fail');

  before(async () => {
    const app = {
      image: APP_IMAGE,
      imagePullPolicy: 'Never',
      volumeMounts: [{ name: 'work', mountPath: '/work' }],
    };
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: pod, namespace: 'demo', labels: { 'podscope-test': 'true', app: 'checkout' } },
      spec: {
        terminationGracePeriodSeconds: 0,
        volumes: [{ name: 'work', emptyDir: {} }],
        initContainers: [
          { ...app, name: 'prepare', command: ['sh', '-c', 'echo ready > /work/ready'] },
          { ...app, name: 'migrate', command: ['sh', '-c', 'test -f /work/migrated || exit 3'] },
        ],
        containers: [{ ...app, name: 'app', command: ['sleep', '3600'] }],
      },
    };
    const r = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
    assert.equal(r.code, 0, r.stderr);
    created.push(pod);
    await waitFor(`${pod} in Init:CrashLoopBackOff`, async () => {
      const p = JSON.parse(await kubectlOk(['-n', 'demo', 'get', 'pod', pod, '-o', 'json'])) as {
        status?: { initContainerStatuses?: { name: string; restartCount: number }[] };
      };
      const s = p.status?.initContainerStatuses?.find((c) => c.name === 'migrate');
      return (s?.restartCount ?? 0) >= 1 ? true : undefined;
    });
    page = await newPage();
  });
  after(async () => page?.close());

  const planTexts = async (prefix = 'copy-plan-change'): Promise<string[]> =>
    page.getByTestId(prefix).allTextContents();
  /** Waits until the plan (re-asked after each choice) shows `text`. */
  async function planShows(text: string | RegExp): Promise<string[]> {
    await waitFor(
      `the plan to show ${String(text)}`,
      async () => {
        if ((await page.getByTestId('copy-plan').getAttribute('data-state')) !== 'ready') return undefined;
        const texts = await planTexts();
        return texts.some((t) => (typeof text === 'string' ? t.includes(text) : text.test(t)))
          ? texts
          : undefined;
      },
      30_000,
      100,
    );
    return planTexts();
  }

  test('the Debug tab offers the failing init container and shows what the copy changes', async () => {
    await page.goto(podUrl(pod, 'tab=debug'));
    assert.equal(await page.getByTestId('copy-container').inputValue(), 'migrate');
    await page.getByTestId('copy-init-hint').waitFor();
    assert.equal(await page.getByTestId('copy-run-init').isChecked(), true);
    const texts = await planShows("Init container migrate runs as the copy's app container");
    assert.ok(
      texts.some((t) => t.includes('Init containers before it run first, as in the original: prepare.')),
    );
    assert.ok(texts.some((t) => t.includes('Labels removed: ')));
    assert.ok(texts.some((t) => /migrate runs sleep 2147483647 instead of sh -c/.test(t)));
  });

  test('each choice updates the plan before anything is created', async () => {
    const before = await kubectlOk([
      '-n',
      'demo',
      'get',
      'pods',
      '-l',
      'podscope.io/debug-pod=copy',
      '-o',
      'name',
    ]);
    await page.getByTestId('copy-keep-labels').check();
    const kept = await planShows('Labels kept: app, podscope-test.');
    assert.ok(kept.some((t) => t.includes('Never Ready (readiness gate podscope.io/debug-copy)')));
    await page.getByTestId('copy-run-init').uncheck();
    await planShows('Init containers before it are skipped: prepare.');
    await page.getByTestId('copy-run-init').check();
    await planShows('Init containers before it run first, as in the original: prepare.');
    await page.getByTestId('copy-create').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(results, 'debug-copy-plan.png') });
    assert.equal(
      await kubectlOk(['-n', 'demo', 'get', 'pods', '-l', 'podscope.io/debug-pod=copy', '-o', 'name']),
      before,
      'no copy yet',
    );
  });

  test('the copy runs the step with its command replaced; its card keeps the plan', async () => {
    await page.getByTestId('copy-create').click();
    await waitLease(page, 'held');
    const copy = (await page.getByTestId('copy-pod-name').textContent()) ?? '';
    created.push(copy);
    assert.match((await page.getByTestId('copy-card').textContent()) ?? '', /container migrate, node \S+\)/);
    await page.getByTestId('copy-card-plan').locator('summary').click();
    const card = await page.getByTestId('copy-card-plan-change').allTextContents();
    assert.ok(
      card.some((t) => t.includes('Labels kept: app, podscope-test.')),
      card.join('\n'),
    );
    const ready = await kubectlOk(['-n', 'demo', 'exec', copy, '-c', 'migrate', '--', 'cat', '/work/ready']);
    assert.equal(ready, 'ready\n', 'prepare ran before it, and the copy has its mounts');
    await page.getByTestId('copy-delete').click();
    await waitLease(page, 'deleted', 60_000);
    await waitGone(copy);
  });
});

describe('a copy whose page is closed', () => {
  test('survives a reload of the page, and is deleted by the server once the tab is closed', async () => {
    const page = await newPage();
    await page.goto(podUrl('crashloop', 'tab=debug'));
    await page.getByTestId('copy-create').click();
    await waitLease(page, 'held');
    const copy = (await page.getByTestId('copy-pod-name').textContent()) ?? '';
    created.push(copy);
    // A reload drops the lease socket; the tab takes the lease again within the grace period.
    await page.reload();
    await waitLease(page, 'held', 30_000);
    assert.equal(await page.getByTestId('copy-pod-name').textContent(), copy);
    await page.waitForTimeout(6_000); // longer than the 5 s grace: still there, since the lease is held
    assert.ok(await podExists(copy), 'the reloaded tab holds the lease');
    await page.close();
    await waitGone(copy);
  });
});

describe('debugging the node', () => {
  test('a node debug pod runs in the host namespaces and is deleted on request', async () => {
    const page = await newPage();
    try {
      await page.goto(podUrl('crashloop', 'tab=debug'));
      assert.equal(await page.getByTestId('node-debug-node').inputValue(), 'podscope-node');
      await page.getByTestId('node-debug-create').click();
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid="node-lease-status"]')?.getAttribute('data-state') === 'held',
        undefined,
        { timeout: 120_000 },
      );
      const card = page.getByTestId('node-card');
      const nodePod = (await page.getByTestId('node-pod-name').textContent()) ?? '';
      assert.match(nodePod, /podscope-node/);
      const ns = /namespace (\S+),/.exec((await card.textContent()) ?? '')?.[1] ?? '';
      assert.ok(ns, 'the card names the namespace');
      const spec = JSON.parse(await kubectlOk(['-n', ns, 'get', 'pod', nodePod, '-o', 'json'])) as {
        spec: { nodeName: string; hostPID?: boolean };
      };
      assert.equal(spec.spec.nodeName, 'podscope-node');
      assert.equal(spec.spec.hostPID, true);
      await page.getByTestId('node-delete').click();
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid="node-lease-status"]')?.getAttribute('data-state') ===
          'deleted',
      );
      await waitFor(
        `node debug pod ${ns}/${nodePod} to be deleted`,
        async () => {
          const r = await kubectl(['-n', ns, 'get', 'pod', nodePod, '-o', 'name']);
          return r.code !== 0 && /NotFound/.test(r.stderr) ? true : undefined;
        },
        60_000,
        500,
      );
    } finally {
      await page.close();
    }
  });
});

describe('files of an image without tools', () => {
  let page: Page;
  let via = '';
  const uploaded = `podscope-browser-${randomBytes(4).toString('hex')}.bin`;

  before(async () => {
    page = await newPage();
  });
  after(async () => {
    await page?.close();
    if (via) {
      await kubectl([
        '-n',
        'demo',
        'exec',
        'noshell',
        '-c',
        via,
        '--',
        'rm',
        '-f',
        `/proc/1/root/tmp/${uploaded}`,
      ]);
    }
  });

  test('a debug container started from the Debug tab lists /tmp of noshell', async () => {
    await page.goto(podUrl('noshell', 'tab=debug'));
    assert.equal(await page.getByTestId('debug-target').inputValue(), 'app');
    await page.getByTestId('debug-start').click();
    const createdBanner = page.getByTestId('debug-created');
    await createdBanner.waitFor({ timeout: 120_000 });
    via = /podscope-debug-app-\d+/.exec((await createdBanner.textContent()) ?? '')?.[0] ?? '';
    assert.ok(via, 'the banner names the debug container');
    await page.getByTestId(`debug-container-row-${via}`).waitFor();
    assert.equal(await page.getByTestId(`debug-container-row-${via}`).getAttribute('data-state'), 'running');
    assert.match(
      (await page.getByTestId('debug-open-terminal').getAttribute('href')) ?? '',
      new RegExp(`tab=terminal&container=${via}$`),
    );

    await page.getByTestId('debug-open-files').click();
    await page.waitForURL((url) => url.searchParams.get('tab') === 'files');
    assert.equal(await page.getByTestId('files-via').inputValue(), via);
    await page.getByTestId('files-path').fill('/tmp');
    await page.getByTestId('files-path').press('Enter');
    await page.getByTestId('files-entry-report.txt').waitFor();
    assert.equal(await page.getByTestId('files-entry-report.txt').getAttribute('data-type'), 'file');
    await page.screenshot({ path: path.join(results, 'files-noshell.png') });
  });

  test('report.txt downloads, with its progress shown', async () => {
    const downloadEvent = page.waitForEvent('download');
    await page.getByTestId('files-download-report.txt').click();
    const download = await downloadEvent;
    assert.equal(download.suggestedFilename(), 'report.txt');
    // The app rewrites its report as it runs, so only its shape is stable (exact bytes: see the upload).
    assert.match(readFileSync(await download.path(), 'utf8'), /^orders processed: \d+\nstatus: .+\n$/);
    const progress = page.getByTestId('files-download-progress-report.txt');
    await page.waitForFunction(
      () =>
        document
          .querySelector('[data-testid="files-download-progress-report.txt"]')
          ?.getAttribute('data-state') === 'done',
    );
    assert.match((await progress.textContent()) ?? '', /saved as report\.txt \(\d+ B\)/);
  });

  test('an upload lands in /tmp and shows its sha256', async () => {
    const bytes = randomBytes(300_000);
    await page.getByTestId('files-upload-input').setInputFiles({
      name: uploaded,
      mimeType: 'application/octet-stream',
      buffer: bytes,
    });
    await page.getByTestId('files-upload-button').click();
    await page.getByTestId('files-upload-result').waitFor({ timeout: 60_000 });
    const sha = createHash('sha256').update(bytes).digest('hex');
    assert.equal(await page.getByTestId('files-upload-sha256').textContent(), sha);
    await page.getByTestId(`files-entry-${uploaded}`).waitFor();
    const inContainer = await kubectlOk([
      '-n',
      'demo',
      'exec',
      'noshell',
      '-c',
      via,
      '--',
      'sha256sum',
      `/proc/1/root/tmp/${uploaded}`,
    ]);
    assert.equal(inContainer.split(/\s+/)[0], sha);
  });

  test('the uploaded file downloads byte-identical', async () => {
    const downloadEvent = page.waitForEvent('download');
    await page.getByTestId(`files-download-${uploaded}`).click();
    const download = await downloadEvent;
    assert.equal(download.suggestedFilename(), uploaded);
    const sha = (await page.getByTestId('files-upload-sha256').textContent()) ?? '';
    assert.equal(
      createHash('sha256')
        .update(readFileSync(await download.path()))
        .digest('hex'),
      sha,
    );
  });

  test('a path that does not exist is explained in a sentence', async () => {
    await page.getByTestId('files-path').fill('/no/such/dir');
    await page.getByTestId('files-path').press('Enter');
    const error = page.getByTestId('files-error').first();
    await error.waitFor();
    assert.match((await error.textContent()) ?? '', /\/no\/such\/dir/);
  });
});
