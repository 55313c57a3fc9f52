// A new user opens the crash-looping demo pod: the first thing on the page is one sentence saying why it
// fails, with its evidence; the evidence's log line leads to the previous instance's output with that line
// found, and the next-step buttons lead to the events and to the debug copy form. The pod list groups the
// namespace's problem pods by cause.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { getJson, repoRoot, waitFor } from '../support/cluster.js';
import type { V1Pod } from '@kubernetes/client-node';
import { cspViolations, launchBrowser, openDesktopPage } from '../support/browser.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../support/podscope.js';

let podscope: RunningPodscope;
let browser: Browser;
let page: Page;
const results = path.join(repoRoot, 'test-results');

before(async () => {
  mkdirSync(results, { recursive: true });
  podscope = await startPodscope({ webRoot: path.join(repoRoot, 'dist/web') });
  browser = await launchBrowser();
  page = await openDesktopPage(browser, podscope);
});
after(async () => {
  await browser?.close();
  await podscope?.close();
});

const podUrl = (pod: string) => `${podscope.url}/c/${CLUSTER}/ns/demo/pods/${pod}`;
const HEADLINE =
  /^Container "app" keeps crashing: it exits with code 1 \(a general error reported by the program itself\) after \d+ s \("FATAL: could not connect to database: connection refused"\); it has restarted \d+ times?\.$/;

/**
 * Waits until the crash-looping pod is in back-off, as a user mostly finds it. Otherwise the page is
 * right to say something else: for a moment after each crash the ended instance is still the current
 * one (state.terminated, no "previous" yet), and for 3 s after each restart the container runs.
 */
async function inBackOff(): Promise<void> {
  await waitFor(
    'crashloop in CrashLoopBackOff',
    async () => {
      const p = await getJson<V1Pod>(['-n', 'demo', 'get', 'pod', 'crashloop']);
      const waiting = p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
      return waiting === 'CrashLoopBackOff' ? true : undefined;
    },
    360_000,
    250,
  );
}

test('the crash-looping pod reads its diagnosis first: the sentence, then the evidence', async () => {
  await inBackOff();
  await page.goto(podUrl('crashloop'));
  const headline = page.getByTestId('diagnosis-headline');
  await headline.waitFor();
  assert.match((await headline.textContent()) ?? '', HEADLINE);
  // First thing a user reads: the panel comes before the facts and the tabs.
  // (No named functions inside evaluate: the test's transpiler would wrap them in a helper the page lacks.)
  const order = await page.evaluate(() =>
    ['diagnosis', 'pod-facts', 'tab-logs'].map(
      (id) => document.querySelector(`[data-testid="${id}"]`)?.getBoundingClientRect().top ?? -1,
    ),
  );
  const [diagnosis = -1, facts = -1, tabs = -1] = order;
  assert.ok(diagnosis > 0 && diagnosis < facts && facts < tabs, JSON.stringify(order));
  const finding = page.getByTestId('diagnosis-finding').first();
  assert.equal(await finding.getAttribute('data-id'), 'crash-loop');
  const evidence = await page.getByTestId('diagnosis-evidence').allTextContents();
  assert.ok(
    evidence.some((t) => /exit code of the previous instance: .*lastState\.terminated\.exitCode = 1/.test(t)),
    evidence.join('\n'),
  );
  assert.ok(
    evidence.some((t) => /FATAL: could not connect to database/.test(t)),
    evidence.join('\n'),
  );
  await page.screenshot({ path: path.join(results, 'diagnosis-crashloop.png') });
});

test('the evidence log line opens the previous logs with that line found', async () => {
  await inBackOff();
  await page.goto(podUrl('crashloop'));
  const logLine = page
    .locator('[data-testid="diagnosis-evidence"][data-kind="log"]')
    .filter({ hasText: 'FATAL' });
  await logLine.getByRole('link').click();
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid="log-line"]')].some((l) => l.textContent?.includes('FATAL')),
  );
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('tab'), 'logs');
  assert.equal(url.searchParams.get('previous'), '1');
  assert.equal(url.searchParams.get('container'), 'app');
  assert.equal(url.searchParams.get('q'), 'FATAL: could not connect to database: connection refused');
  const match = page.getByTestId('log-match').first();
  await match.waitFor();
  assert.equal(await match.textContent(), 'FATAL: could not connect to database: connection refused');
  // The previous-instance toggle is on: these are the crashed instance's lines.
  assert.equal(await page.getByTestId('log-previous-toggle').getAttribute('aria-pressed'), 'true');
});

test('the next-step buttons lead to the events and to the debug copy form', async () => {
  await inBackOff();
  await page.goto(podUrl('crashloop'));
  await page.getByTestId('diagnosis-headline').waitFor();
  // The first button: the previous logs.
  const steps = page.getByTestId('diagnosis-finding').first().locator('.diagnosis-steps a');
  assert.equal(await steps.first().textContent(), 'Open the previous logs of app');
  await page.getByTestId('diagnosis-step-debug-copy').first().click();
  await page.getByTestId('copy-create').waitFor();
  assert.equal(new URL(page.url()).searchParams.get('tab'), 'debug');
  assert.equal(new URL(page.url()).hash, '#debug-copy-title');
  // Scrolled to, and focused: the form the step promised.
  await page.waitForFunction(() => document.activeElement?.id === 'debug-copy-title');
  // The diagnosis stays on top while the user follows it.
  assert.match((await page.getByTestId('diagnosis-headline').textContent()) ?? '', HEADLINE);
});

test('a healthy pod shows no diagnosis panel', async () => {
  // The answer arrives after the pod: wait for it, then check nothing was drawn.
  const answer = page.waitForResponse((r) => r.url().endsWith('/pods/multi/diagnosis'));
  await page.goto(podUrl('multi'));
  await page.getByTestId('pod-facts').waitFor();
  assert.equal(((await (await answer).json()) as { healthy: boolean }).healthy, true);
  await page.waitForTimeout(300);
  assert.equal(await page.getByTestId('diagnosis').count(), 0);
});

test("the pod list groups the namespace's problem pods by cause", async () => {
  await inBackOff();
  await page.goto(`${podscope.url}/c/${CLUSTER}/ns/demo`);
  const causes = page.getByTestId('namespace-cause');
  await causes.first().waitFor();
  const texts = await causes.allTextContents();
  assert.ok(
    texts.some((t) =>
      /^✖ 1 pod cannot pull podscope\.local\/reports-does-not-exist:9\.9 — the registry host podscope\.local does not resolve \(DNS\): imagepull$/.test(
        t,
      ),
    ),
    texts.join('\n'),
  );
  assert.ok(
    texts.some((t) => /crashed repeatedly with exit code 1: .*crashloop/.test(t)),
    texts.join('\n'),
  );
  await page
    .locator('[data-testid="namespace-cause"][data-id="config.missing-configmap"]')
    .getByRole('link', { name: 'configerror' })
    .click();
  await page.getByTestId('diagnosis-headline').waitFor();
  assert.match(
    (await page.getByTestId('diagnosis-headline').textContent()) ?? '',
    /^Container "app" cannot be created: ConfigMap "billing-settings", which env DATABASE_URL reads, does not exist in namespace demo\.$/,
  );
  assert.deepEqual(cspViolations(page), []);
});
