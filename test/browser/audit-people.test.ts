// The audit page with people signed in (token login, ServiceAccounts as people): an auditor sees who ran
// what — the person, their groups, the identity used towards Kubernetes — and filters by person; anyone
// else sees their own sessions only, without the person filter, and another person's session page is
// "not found". Every state holds to WCAG 2.2 AA.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEFAULT_CONFIG } from '../../src/server/config/podscope-config.js';
import type { AuditSessionPage } from '../../src/shared/audit/api.js';
import { axeViolations } from '../support/axe.js';
import { launchBrowser } from '../support/browser.js';
import { APP_IMAGE, kubectl, kubectlOk, repoRoot, uniqueName, waitFor } from '../support/cluster.js';
import { startPodscope, type RunningPodscope } from '../support/podscope.js';
import { EXEC_PODS, READ_PODS, serviceAccount, signIn, testSealer, tokenOf } from '../support/token-login.js';
import { TerminalClient, terminalUrl } from '../integration/terminal/terminal-client.js';
import { createPod, waitPodRunning } from '../integration/terminal/test-pods.js';

const people = uniqueName('uiaudit');
const auditors = uniqueName('uiauditors');
const alice = `system:serviceaccount:${people}:alice`;
const olga = `system:serviceaccount:${auditors}:olga`;
let podscope: RunningPodscope;
let browser: Browser;
const contexts: BrowserContext[] = [];
let aliceSession = '';

/** A page signed in as the ServiceAccount `ns/name` (its session cookie, as the sign-in page would set). */
async function pageAs(ns: string, name: string): Promise<Page> {
  const r = await signIn(podscope.url, await tokenOf(ns, name));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const [cookieName, ...value] = r.cookie!.split('=');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  await context.addCookies([{ name: cookieName!, value: value.join('='), url: podscope.url }]);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

before(async () => {
  for (const ns of [people, auditors]) {
    await kubectlOk(['create', 'namespace', ns]);
    await kubectlOk(['label', 'namespace', ns, 'podscope-test=true']);
  }
  await serviceAccount(people, 'alice', [...READ_PODS, ...EXEC_PODS]);
  await serviceAccount(people, 'bob', READ_PODS);
  await serviceAccount(auditors, 'olga', []);
  const pod = await createPod({ prefix: 'app', image: APP_IMAGE, namespace: people });
  await waitPodRunning(pod, people);
  podscope = await startPodscope({
    webRoot: path.join(repoRoot, 'dist/web'),
    config: {
      ...DEFAULT_CONFIG,
      audit: { ...DEFAULT_CONFIG.audit, auditorGroups: [`system:serviceaccounts:${auditors}`] },
    },
    tokenLogin: { sealer: testSealer(), publicUrl: null },
  });
  const r = await signIn(podscope.url, await tokenOf(people, 'alice'));
  const t = new TerminalClient(terminalUrl(podscope.wsUrl, people, pod), { cookie: r.cookie! });
  aliceSession = (await t.ready()).sessionId;
  t.type('echo "seen-by-$((40 + 2))"\r');
  await t.outputMatches(/seen-by-42/);
  t.type('exit\r');
  await t.closed;
  browser = await launchBrowser();
});
after(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await podscope?.close();
  for (const ns of [people, auditors]) await kubectl(['delete', 'namespace', ns, '--wait=false']);
});

test('an auditor sees the person, their groups and the Kubernetes identity, and filters by person', async () => {
  const page = await pageAs(auditors, 'olga');
  await page.goto(`${podscope.url}/audit?namespace=${people}`);
  const row = page.locator(`[data-testid="audit-row"][data-session-id="${aliceSession}"]`);
  // The record was written before the terminal opened: it is there at once.
  await row.waitFor();
  const person = row.getByTestId('audit-person');
  assert.equal(await person.getByTestId('audit-person-user').innerText(), alice);
  assert.match(await person.innerText(), new RegExp(`groups: .*system:serviceaccounts:${people}`));
  assert.equal(
    await row.getByTestId('audit-kube-identity').innerText(),
    `Kubernetes: with their own token, as ${alice}`,
  );
  assert.equal(await page.getByTestId('audit-scope').count(), 0);
  assert.deepEqual(await axeViolations(page), []);

  await page.getByTestId('audit-filter-user').fill(alice);
  await page.getByTestId('audit-filter-apply').click();
  await page.waitForURL((u) => u.searchParams.get('user') === alice);
  await row.waitFor();
  const users = await page.getByTestId('audit-person-user').allInnerTexts();
  assert.ok(users.length >= 1 && users.every((u) => u === alice), JSON.stringify(users));

  await page.goto(`${podscope.url}/audit/sessions/${aliceSession}`);
  await page.getByTestId('audit-commands').waitFor();
  const facts = page.getByTestId('audit-facts');
  assert.equal(await facts.getByTestId('audit-person-user').innerText(), alice);
  assert.equal(
    await facts.getByTestId('audit-kube-identity').innerText(),
    `with their own token, as ${alice}`,
  );
  assert.deepEqual(await page.getByTestId('audit-command-line').allInnerTexts(), [
    'echo "seen-by-$((40 + 2))"',
    'exit',
  ]);
  await page.locator('[data-testid="audit-replay"] .ap-player').waitFor();
  assert.deepEqual(await axeViolations(page), []);
  // The player fetched Alice's recording: that viewing is on record, naming the auditor.
  const views = await waitFor(
    'the record of the viewing',
    async () => {
      const res = await page.context().request.get(`${podscope.url}/api/audit/sessions?kind=audit-view`);
      const body = (await res.json()) as AuditSessionPage;
      const mine = body.sessions.filter((s) => s.details['viewedSession'] === aliceSession);
      return mine.length > 0 ? mine : undefined;
    },
    10_000,
    200,
  );
  assert.ok(
    views.every((v) => v.user === olga && v.details['owner'] !== undefined),
    JSON.stringify(views),
  );
});

test("anyone else sees their own sessions only, without the person filter, and not another person's", async () => {
  const page = await pageAs(people, 'bob');
  await page.goto(`${podscope.url}/audit`);
  await page.getByTestId('audit-scope').waitFor();
  assert.match(await page.getByTestId('audit-scope').innerText(), /You see your own sessions/);
  assert.equal(await page.getByTestId('audit-filter-user').count(), 0);
  await page.getByTestId('audit-empty').waitFor();
  assert.equal(await page.getByTestId('audit-row').count(), 0);
  assert.deepEqual(await axeViolations(page), []);

  await page.goto(`${podscope.url}/audit/sessions/${aliceSession}`);
  await page.getByText(`There is no audit session ${aliceSession}.`).waitFor();
  assert.equal(await page.getByTestId('audit-facts').count(), 0);
  assert.doesNotMatch(await page.locator('body').innerText(), /seen-by/);
  assert.deepEqual(await axeViolations(page), []);
});
