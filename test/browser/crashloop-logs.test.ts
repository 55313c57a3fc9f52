// A user opens the demo namespace in the real UI, finds the crash-looping pod, reads its previous
// logs and events, and searches a word.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { repoRoot } from '../support/cluster.js';
import { launchBrowser, openPodscopePage } from '../support/browser.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../support/podscope.js';

let podscope: RunningPodscope;
let browser: Browser;
let page: Page;

before(async () => {
  mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
  podscope = await startPodscope({ webRoot: path.join(repoRoot, 'dist/web') });
  browser = await launchBrowser();
  page = await openPodscopePage(browser, podscope);
  page.setDefaultTimeout(30_000);
});
after(async () => {
  await browser?.close();
  await podscope?.close();
});

test('the demo namespace shows the crash-looping pod as CrashLoopBackOff', async () => {
  await page.goto(`${podscope.url}/c/${CLUSTER}/ns/demo`);
  const status = page.getByTestId('pod-status-crashloop');
  await status.waitFor();
  await page.waitForFunction(() =>
    /CrashLoopBackOff|Error/.test(
      document.querySelector('[data-testid="pod-status-crashloop"]')?.textContent ?? '',
    ),
  );
  assert.match((await status.textContent()) ?? '', /CrashLoopBackOff|Error/);
  await page.screenshot({ path: path.join(repoRoot, 'test-results', 'pod-list.png') });
});

test('its previous logs show the fatal error, and a search highlights it', async () => {
  await page.getByTestId('pod-row-crashloop').getByRole('link', { name: 'crashloop' }).click();
  await page.getByTestId('tab-logs').click();
  const previous = page.getByTestId('log-previous-toggle');
  await previous.click();
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid="log-line"]')].some((l) => l.textContent?.includes('FATAL')),
  );
  assert.match(page.url(), /previous=(true|1)/);
  await page.getByTestId('log-search').fill('database');
  const match = page.getByTestId('log-match').first();
  await match.waitFor();
  assert.equal((await match.textContent())?.toLowerCase(), 'database');
  assert.match((await page.getByTestId('log-search-count').textContent()) ?? '', /[1-9]/);
  await page.screenshot({ path: path.join(repoRoot, 'test-results', 'crashloop-logs.png') });
});

test('its events show the back-off', async () => {
  await page.getByTestId('tab-events').click();
  await page.getByTestId('events-table').waitFor();
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid="event-row"]')].some((r) =>
      /BackOff/.test(r.textContent ?? ''),
    ),
  );
  const warning = page.locator('[data-testid="event-row"][data-type="Warning"]').first();
  assert.match((await warning.textContent()) ?? '', /BackOff|Back-off/);
});
