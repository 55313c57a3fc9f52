// A user opens a web pod's Terminal tab in the real UI, runs a command in the container, exits with a
// code, then finds the session in the audit trail with the lines typed and its replay. Also: a container
// without a shell is explained, and leaving the tab ends the remote session.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { repoRoot, waitFor } from '../support/cluster.js';
import { cspViolations, launchBrowser, openDesktopPage, waitForTerminalScreen } from '../support/browser.js';
import { readyDemoWebPod } from '../support/pods.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../support/podscope.js';

let podscope: RunningPodscope;
let browser: Browser;
let page: Page;
let webPod: string;
let sessionId = '';

const results = path.join(repoRoot, 'test-results');

before(async () => {
  mkdirSync(results, { recursive: true });
  webPod = await readyDemoWebPod();
  podscope = await startPodscope({ webRoot: path.join(repoRoot, 'dist/web') });
  browser = await launchBrowser();
  page = await openDesktopPage(browser, podscope);
});
after(async () => {
  await browser?.close();
  await podscope?.close();
});

const terminalUrl = (pod: string, container: string): string =>
  `${podscope.url}/c/${CLUSTER}/ns/demo/pods/${pod}?tab=terminal&container=${container}`;

describe('terminal tab', () => {
  test('shows the exec policy before connecting, and connects to the chosen container', async () => {
    await page.goto(terminalUrl(webPod, 'app'));
    assert.equal(await page.getByTestId('tab-terminal').getAttribute('aria-selected'), 'true');
    const policy = page.getByTestId('terminal-policy');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="terminal-policy"]')?.getAttribute('data-policy'),
    );
    assert.equal(await policy.getAttribute('data-policy'), 'root-allowed', 'demo has no exec-policy label');
    assert.match((await policy.textContent()) ?? '', /Root allowed.*built-in default/s);
    assert.equal(await page.getByTestId('terminal-container').inputValue(), 'app');
    assert.match((await page.getByTestId('terminal-status').textContent()) ?? '', /Not connected/);
    assert.equal(await page.getByTestId('terminal-disconnect').isDisabled(), true);

    await page.getByTestId('terminal-connect').click();
    await page.waitForFunction(() =>
      /Connected to app as .* via v[45]\.channel\.k8s\.io/.test(
        document.querySelector('[data-testid="terminal-status"]')?.textContent ?? '',
      ),
    );
    assert.equal(await page.getByTestId('terminal-connect').isDisabled(), true);
    assert.equal(await page.getByTestId('terminal-container').isDisabled(), true, 'no switching mid-session');
    const href = (await page.getByTestId('terminal-session-link').getAttribute('href')) ?? '';
    sessionId = /\/audit\/sessions\/([0-9a-f-]{36})$/.exec(href)?.[1] ?? '';
    assert.ok(sessionId, `the status links to the audit session (got "${href}")`);
  });

  test('what the user types runs in the container, and the shell computes it', async () => {
    await page.getByTestId('terminal-screen').click();
    await page.keyboard.type('echo podscope-$((6*7))');
    await page.keyboard.press('Enter');
    // The echo of the typed line shows "$((6*7))"; only the shell's output says 42.
    const text = await waitForTerminalScreen(page, /podscope-42/, 'podscope-42');
    assert.match(text, /echo podscope-\$\(\(6\*7\)\)/, 'the typed line is echoed as typed');
    await page.screenshot({ path: path.join(results, 'terminal.png') });
  });

  test('Unicode goes both ways', async () => {
    await page.keyboard.type('echo "ünï-€-世界-$((6*7))"');
    await page.keyboard.press('Enter');
    await waitForTerminalScreen(page, /^ünï-€-世界-42\s*$/m, 'the Unicode output line');
  });

  test('the terminal follows the size of its element', async () => {
    const before = await page.evaluate(() => {
      const rows = document.querySelectorAll('[data-testid="terminal-screen"] .xterm-rows > div').length;
      return rows;
    });
    await page.setViewportSize({ width: 900, height: 650 });
    await page.keyboard.type('stty size');
    await page.keyboard.press('Enter');
    // stty prints "rows cols" as the container's TTY sees them after the resize message.
    const rowsNow = await page.evaluate(
      () => document.querySelectorAll('[data-testid="terminal-screen"] .xterm-rows > div').length,
    );
    assert.notEqual(rowsNow, before, 'fewer rows fit after the window shrank');
    await waitForTerminalScreen(
      page,
      new RegExp(`^${rowsNow} \\d+\\s*$`, 'm'),
      `stty size reporting ${rowsNow} rows`,
    );
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('`exit 3` shows the exit code and ends the session', async () => {
    await page.getByTestId('terminal-screen').click();
    await page.keyboard.type('exit 3');
    await page.keyboard.press('Enter');
    const exit = page.getByTestId('terminal-exit');
    await exit.waitFor();
    assert.equal(await exit.textContent(), 'The process exited with code 3.');
    assert.match((await page.getByTestId('terminal-status').textContent()) ?? '', /ended/i);
    assert.equal(await page.getByTestId('terminal-disconnect').isDisabled(), true);
    assert.equal(await page.getByTestId('terminal-connect').isDisabled(), false, 'a new session can start');
  });

  test('a container without a shell is explained, pointing to a debug container', async () => {
    await page.goto(terminalUrl('noshell', 'app'));
    await page.getByTestId('terminal-connect').click();
    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    assert.match((await banner.textContent()) ?? '', /no shell.*debug container/is);
    assert.match((await page.getByTestId('terminal-status').textContent()) ?? '', /could not be opened/);
    assert.equal(await page.getByTestId('terminal-exit').count(), 0);
  });

  test('leaving the tab closes the socket, which ends the session in the audit', async () => {
    await page.goto(terminalUrl(webPod, 'app'));
    await page.getByTestId('terminal-connect').click();
    const link = page.getByTestId('terminal-session-link');
    await link.waitFor();
    const id = /([0-9a-f-]{36})$/.exec((await link.getAttribute('href')) ?? '')?.[1];
    assert.ok(id);
    const open = await podscope.getJson<{ endedAt: string | null }>(`/api/audit/sessions/${id}`);
    assert.equal(open.body.endedAt, null, 'running while the tab is open');
    await page.getByTestId('tab-containers').click();
    const ended = await waitFor(
      'the audit session to end',
      async () => {
        const r = await podscope.getJson<{ endedAt: string | null; error: string | null }>(
          `/api/audit/sessions/${id}`,
        );
        return r.body.endedAt ? r.body : undefined;
      },
      20_000,
      250,
    );
    assert.match(ended.error ?? '', /browser left/i);
  });
});

describe('audit of the session', () => {
  test('the session is listed for its pod and shows the typed commands and the replay', async () => {
    assert.ok(sessionId, 'the terminal tests created a session');
    await page.goto(`${podscope.url}/clusters`);
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-table').waitFor();
    await page.getByTestId('audit-filter-pod').fill(webPod);
    await page.getByTestId('audit-filter-pod').press('Enter');
    await page.waitForURL(new RegExp(`/audit\\?pod=${webPod}`));
    const row = page.locator(`[data-testid="audit-row"][data-session-id="${sessionId}"]`);
    await row.waitFor();
    const rows = await page.locator('[data-testid="audit-row"]').allTextContents();
    assert.ok(
      rows.every((r) => r.includes(webPod)),
      'only the filtered pod is listed',
    );
    assert.match((await row.textContent()) ?? '', /exit 3/);
    await row.click();
    await page.waitForURL(new RegExp(`/audit/sessions/${sessionId}$`));

    await page.getByTestId('audit-commands').waitFor();
    const lines = await page.getByTestId('audit-command-line').allTextContents();
    assert.ok(lines.includes('echo podscope-$((6*7))'), `typed lines: ${JSON.stringify(lines)}`);
    assert.ok(lines.includes('exit 3'), `typed lines: ${JSON.stringify(lines)}`);
    assert.ok(lines.indexOf('echo podscope-$((6*7))') < lines.indexOf('exit 3'), 'in typing order');
    assert.match((await page.getByTestId('audit-facts').textContent()) ?? '', new RegExp(webPod));

    // asciinema-player renders its own element inside ours once the recording has loaded.
    await page.locator('[data-testid="audit-replay"] .ap-player').waitFor();
    const download = page.getByTestId('audit-download');
    const href = (await download.getAttribute('href')) ?? '';
    assert.equal(href, `/api/audit/sessions/${sessionId}/recording.cast?download=true`);
    const cast = await podscope.fetch(`${href}`);
    assert.equal(cast.status, 200);
    assert.match(cast.headers.get('content-disposition') ?? '', /attachment/);
    const text = await cast.text();
    assert.equal(JSON.parse(text.split('\n')[0] ?? '').version, 2);
    assert.match(text, /podscope-42/, 'the recording holds the output');
    await page.screenshot({ path: path.join(results, 'audit-session.png'), fullPage: true });
  });
});

test('the pages above (terminal, audit, replay) ran under the Content-Security-Policy without a violation', () => {
  assert.deepEqual(cspViolations(page), []);
});
