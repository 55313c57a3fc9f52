// The audit pages in the real UI: sessions made through the real terminal endpoint are listed newest
// first, filtered through the URL, paged with the server's cursor, and opened with their command lines,
// replay and download.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { getJson as kubectlJson, repoRoot } from '../support/cluster.js';
import { cspViolations, launchBrowser, openDesktopPage } from '../support/browser.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../support/podscope.js';

let podscope: RunningPodscope;
let browser: Browser;
let page: Page;
let webPod: string;
/** Oldest first. */
const sessions: string[] = [];

interface SessionView {
  id: string;
  user: string;
  exitCode: number | null;
  endedAt: string | null;
}

/** Runs a terminal session like the browser does (binary keystrokes) and waits for its end. */
async function terminalSession(command: string[], keystrokes: string[]): Promise<string> {
  const query = new URLSearchParams({ container: 'app', cols: '80', rows: '24' });
  for (const word of command) query.append('command', word);
  const ws = new WebSocket(
    `${podscope.wsUrl}/api/clusters/${CLUSTER}/namespaces/demo/pods/${webPod}/terminal?${query}`,
    { headers: podscope.headers },
  );
  let output = '';
  const messages: { type: string; sessionId?: string; code?: number }[] = [];
  const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) output += data.toString('utf8');
    else messages.push(JSON.parse(data.toString('utf8')) as (typeof messages)[number]);
  });
  const until = async (what: string, ok: () => boolean): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!ok()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}: ${JSON.stringify(messages)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await until('ready', () => messages.some((m) => m.type === 'ready'));
  for (const keys of keystrokes) {
    ws.send(Buffer.from(keys, 'utf8'));
    if (keys.startsWith('echo')) await until('the echo output', () => output.includes('podscope-42'));
  }
  await closed;
  const ready = messages.find((m) => m.type === 'ready');
  assert.ok(ready?.sessionId);
  return ready.sessionId;
}

async function waitEnded(id: string): Promise<SessionView> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { body } = await podscope.getJson<SessionView>(`/api/audit/sessions/${id}`);
    if (body.endedAt) return body;
    if (Date.now() > deadline) throw new Error(`audit session ${id} never ended`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
  const pods = await kubectlJson<{ items: { metadata: { name: string }; status: { phase: string } }[] }>([
    '-n',
    'demo',
    'get',
    'pods',
    '-l',
    'app=web',
  ]);
  const running = pods.items.find((p) => p.status.phase === 'Running');
  assert.ok(running, 'the demo web Deployment has a running pod');
  webPod = running.metadata.name;
  podscope = await startPodscope({ webRoot: path.join(repoRoot, 'dist/web') });
  sessions.push(await terminalSession([], ['echo podscope-$((6*7))\r', 'exit 3\r']));
  sessions.push(await terminalSession(['sh', '-c', 'exit 0'], []));
  for (const id of sessions) await waitEnded(id);
  browser = await launchBrowser();
  page = await openDesktopPage(browser, podscope);
});
after(async () => {
  await browser?.close();
  await podscope?.close();
});

const rowIds = (p: Page): Promise<(string | null)[]> =>
  p
    .locator('[data-testid="audit-row"]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-session-id')));

test('the header links to the audit page, which lists sessions newest first', async () => {
  await page.goto(`${podscope.url}/clusters`);
  await page.getByTestId('nav-audit').click();
  await page.waitForURL(/\/audit$/);
  await page.locator('[data-testid="audit-row"]').first().waitFor();
  assert.deepEqual(await rowIds(page), [...sessions].reverse());
  const newest = page.locator(`[data-testid="audit-row"][data-session-id="${sessions[1]}"]`);
  assert.match((await newest.textContent()) ?? '', /sh -c 'exit 0'.*exit 0/);
  const oldest = page.locator(`[data-testid="audit-row"][data-session-id="${sessions[0]}"]`);
  assert.match((await oldest.textContent()) ?? '', /Terminal.*demo\/.*exit 3/);
});

test('filters are applied through the URL and survive a reload', async () => {
  const { body } = await podscope.getJson<SessionView>(`/api/audit/sessions/${sessions[0]}`);
  await page.getByTestId('audit-filter-user').fill(body.user);
  await page.getByTestId('audit-filter-cluster').fill(CLUSTER);
  await page.getByTestId('audit-filter-namespace').fill('demo');
  await page.getByTestId('audit-filter-pod').fill(webPod);
  await page.getByTestId('audit-filter-apply').click();
  await page.waitForURL((url) => url.searchParams.get('pod') === webPod);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('user'), body.user);
  assert.equal(url.searchParams.get('cluster'), CLUSTER);
  assert.equal(url.searchParams.get('namespace'), 'demo');
  await page.reload();
  await page.locator('[data-testid="audit-row"]').first().waitFor();
  assert.equal(await page.getByTestId('audit-filter-pod').inputValue(), webPod, 'the field shows the URL');
  assert.deepEqual(await rowIds(page), [...sessions].reverse());

  await page.getByTestId('audit-filter-pod').fill('no-such-pod');
  await page.getByTestId('audit-filter-pod').press('Enter');
  await page.getByTestId('audit-empty').waitFor();
  assert.equal(await page.locator('[data-testid="audit-row"]').count(), 0);
  assert.match((await page.getByTestId('audit-empty').textContent()) ?? '', /No session matches/);
});

test('the kind filter applies at once; debug sessions are a different kind', async () => {
  await page.goto(`${podscope.url}/audit?pod=${webPod}`);
  await page.locator('[data-testid="audit-row"]').first().waitFor();
  await page.getByTestId('audit-filter-kind').selectOption('debug');
  await page.waitForURL((url) => url.searchParams.get('kind') === 'debug');
  await page.getByTestId('audit-empty').waitFor();
  await page.getByTestId('audit-filter-kind').selectOption('exec');
  await page.waitForURL((url) => url.searchParams.get('kind') === 'exec');
  await page.locator('[data-testid="audit-row"]').first().waitFor();
  assert.deepEqual(await rowIds(page), [...sessions].reverse());
});

test('pages follow the server cursor: older, then back to the newest', async () => {
  await page.goto(`${podscope.url}/audit?pod=${webPod}&limit=1`);
  await page.locator('[data-testid="audit-row"]').first().waitFor();
  assert.deepEqual(await rowIds(page), [sessions[1]]);
  await page.getByTestId('audit-older').click();
  await page.waitForURL((url) => url.searchParams.has('before'));
  await page.waitForFunction(
    (id) => document.querySelector('[data-testid="audit-row"]')?.getAttribute('data-session-id') === id,
    sessions[0],
  );
  assert.deepEqual(await rowIds(page), [sessions[0]]);
  assert.equal(new URL(page.url()).searchParams.get('pod'), webPod, 'paging keeps the filters');
  await page.getByTestId('audit-newest').click();
  await page.waitForURL((url) => !url.searchParams.has('before'));
  await page.waitForFunction(
    (id) => document.querySelector('[data-testid="audit-row"]')?.getAttribute('data-session-id') === id,
    sessions[1],
  );
});

test('a session page shows who, where, the typed lines with their times, the replay and the download', async () => {
  await page.goto(`${podscope.url}/audit?pod=${webPod}`);
  await page.locator(`[data-testid="audit-row"][data-session-id="${sessions[0]}"]`).click();
  await page.waitForURL(new RegExp(`/audit/sessions/${sessions[0]}$`));
  const facts = (await page.getByTestId('audit-facts').textContent()) ?? '';
  for (const expected of [CLUSTER, 'demo', webPod, 'root-allowed', 'Exit code3']) {
    assert.ok(facts.includes(expected), `facts mention ${expected}: ${facts}`);
  }
  assert.equal(await page.getByTestId('audit-outcome').textContent(), 'exit 3');
  const commands = page.getByTestId('audit-command');
  assert.equal(await commands.count(), 2);
  assert.match(
    (await commands.nth(0).textContent()) ?? '',
    /\d{2}:\d{2}:\d{2} \+0:\d{2}\.\d.*echo podscope-\$\(\(6\*7\)\)/,
  );
  assert.equal(await page.getByTestId('audit-command-line').nth(1).textContent(), 'exit 3');
  await page.locator('[data-testid="audit-replay"] .ap-player').waitFor();
  // "replay here" seeks the player to the line and plays: the recorded output appears in the player.
  await page
    .getByTestId('audit-command')
    .nth(0)
    .getByRole('button', { name: /replay here/ })
    .click();
  await page.waitForFunction(
    () => /podscope-42/.test(document.querySelector('[data-testid="audit-replay"]')?.textContent ?? ''),
    undefined,
    { timeout: 15_000 },
  );
  const href = await page.getByTestId('audit-download').getAttribute('href');
  assert.equal(href, `/api/audit/sessions/${sessions[0]}/recording.cast?download=true`);
  assert.notEqual(await page.getByTestId('audit-download').getAttribute('download'), null);
  await page.screenshot({
    path: path.join(repoRoot, 'test-results', 'audit-session-page.png'),
    fullPage: true,
  });
});

test('an unknown session is a sentence, not a blank page', async () => {
  await page.goto(`${podscope.url}/audit/sessions/00000000-0000-4000-8000-000000000000`);
  const banner = page.getByTestId('error-banner');
  await banner.waitFor();
  assert.match((await banner.textContent()) ?? '', /There is no audit session/);
});

test('the audit pages and the replay ran under the Content-Security-Policy without a violation', () => {
  assert.deepEqual(cspViolations(page), []);
});
