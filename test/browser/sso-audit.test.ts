// The end-to-end evidence for single sign-on and the audit: in the real UI, against the test
// environment's real provider (impersonation mode), the developer signs in through the provider's form,
// runs a command in a terminal in `demo` and signs out; the operator (an auditor by group) then finds that
// session on the audit page naming the developer and the command, opens its recording — a viewing that is
// itself on record, naming the operator — while the viewer (no auditor) does not see it at all.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEFAULT_CONFIG } from '../../src/server/config/podscope-config.js';
import type { AuditSessionPage } from '../../src/shared/audit/api.js';
import { axeViolations } from '../support/axe.js';
import { launchBrowser, terminalScreenText } from '../support/browser.js';
import { repoRoot, waitFor } from '../support/cluster.js';
import { oidcEnv, type TestUserName } from '../support/oidc.js';
import { freePort, oidcLoginOptions } from '../support/oidc-login.js';
import { readyDemoWebPod } from '../support/pods.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../support/podscope.js';

const dana = 'dana@podscope.test';
const olga = 'olga@podscope.test';
const marker = `sso-${randomBytes(6).toString('hex')}-marker`;
const command = `echo ${marker}`;
const provider = new URL(oidcEnv().issuer);
let podscope: RunningPodscope;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let webPod = '';
let danaSession = '';

before(async () => {
  webPod = await readyDemoWebPod();
  const port = await freePort();
  podscope = await startPodscope({
    webRoot: path.join(repoRoot, 'dist/web'),
    port,
    config: { ...DEFAULT_CONFIG, audit: { ...DEFAULT_CONFIG.audit, auditorGroups: ['platform-admins'] } },
    oidcLogin: oidcLoginOptions(`http://127.0.0.1:${port}`, 'impersonation'),
  });
  browser = await launchBrowser();
  // The provider's certificate is signed by the test environment's own CA (see oidc-login.test.ts).
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ignoreHTTPSErrors: true });
  page = await context.newPage();
  page.setDefaultTimeout(30_000);
});
after(async () => {
  await browser?.close();
  await podscope?.close();
});

/** From Podscope's sign-in page at `where`, through the provider's form (and consent) back to `where`. */
async function signIn(user: TestUserName, where: string): Promise<void> {
  await page.goto(`${podscope.url}${where}`);
  await page.getByTestId('login-sso').click();
  await page.waitForURL((u) => u.origin === provider.origin);
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(`${user}-password`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const allow = page.getByRole('button', { name: 'Allow' });
  await allow.waitFor();
  await allow.click();
  await page.waitForURL((u) => u.origin === podscope.url);
  await page.getByTestId('signed-in-user').waitFor();
  assert.equal(await page.getByTestId('signed-in-user').textContent(), `${user}@podscope.test`);
}

/** Podscope's sign-out, then the provider's logout, back on the sign-in page. */
async function signOut(): Promise<void> {
  await page.getByTestId('sign-out').click();
  await page.waitForURL((u) => u.origin === provider.origin);
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await page.waitForURL((u) => u.origin === podscope.url);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

test('the developer signs in through the provider, runs a command in a demo pod, and signs out', async () => {
  const podPath = `/c/${CLUSTER}/ns/demo/pods/${webPod}?tab=terminal&container=app`;
  await signIn('dana', podPath);
  await page.getByTestId('terminal-connect').click();
  await page.waitForFunction(() =>
    /Connected to app as /.test(document.querySelector('[data-testid="terminal-status"]')?.textContent ?? ''),
  );
  const href = (await page.getByTestId('terminal-session-link').getAttribute('href')) ?? '';
  danaSession = /\/audit\/sessions\/([0-9a-f-]{36})$/.exec(href)?.[1] ?? '';
  assert.ok(danaSession, `the status links to the audit session (got "${href}")`);
  await page.getByTestId('terminal-screen').click();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
  // The typed line holds the marker after "echo "; the output line is the marker alone.
  const outputLine = new RegExp(`^${marker}\\s*$`, 'm');
  await waitFor(
    'the command output',
    async () => (outputLine.test(await terminalScreenText(page)) ? true : undefined),
    30_000,
    100,
  );
  await page.keyboard.type('exit');
  await page.keyboard.press('Enter');
  await page.getByTestId('terminal-exit').waitFor();
  await signOut();
});

test("the operator (an auditor by group) sees the developer's session, person and command, and its replay", async () => {
  assert.ok(danaSession, 'the developer made a session');
  await signIn('olga', '/audit?namespace=demo');
  const row = page.locator(`[data-testid="audit-row"][data-session-id="${danaSession}"]`);
  await row.waitFor();
  assert.equal(await row.getByTestId('audit-person-user').innerText(), dana);
  assert.match(await row.getByTestId('audit-person').innerText(), /groups: .*dev-team/);
  assert.match(
    await row.getByTestId('audit-kube-identity').innerText(),
    new RegExp(dana.replace('.', '\\.')),
  );
  // The list names the session; its commands are on the session's own page.
  assert.match(await row.innerText(), new RegExp(`Terminal\\s+${CLUSTER}/demo/${webPod} · app`));
  assert.deepEqual(await axeViolations(page), []);

  await row.click();
  await page.waitForURL((u) => u.pathname === `/audit/sessions/${danaSession}`);
  await page.getByTestId('audit-commands').waitFor();
  assert.equal(await page.getByTestId('audit-facts').getByTestId('audit-person-user').innerText(), dana);
  assert.deepEqual(await page.getByTestId('audit-command-line').allInnerTexts(), [command, 'exit']);
  await page.locator('[data-testid="audit-replay"] .ap-player').waitFor();
  assert.deepEqual(await axeViolations(page), []);
  // The player fetched dana's recording: that viewing is on record, naming olga.
  const views = await waitFor(
    'the record of the viewing',
    async () => {
      const res = await context.request.get(`${podscope.url}/api/audit/sessions?kind=audit-view`);
      assert.equal(res.status(), 200, await res.text());
      const body = (await res.json()) as AuditSessionPage;
      const mine = body.sessions.filter((s) => s.details['viewedSession'] === danaSession);
      return mine.length > 0 ? mine : undefined;
    },
    10_000,
    200,
  );
  assert.ok(
    views.every((v) => v.user === olga),
    JSON.stringify(views),
  );
  await signOut();
});

test("the viewer (not an auditor) does not see the developer's session", async () => {
  await signIn('victor', '/audit');
  await page.getByTestId('audit-scope').waitFor();
  assert.match(await page.getByTestId('audit-scope').innerText(), /You see your own sessions/);
  await page.locator('[data-testid="audit-empty"], [data-testid="audit-table"]').first().waitFor();
  assert.equal(await page.locator(`[data-testid="audit-row"][data-session-id="${danaSession}"]`).count(), 0);
  assert.doesNotMatch(await page.locator('body').innerText(), new RegExp(`${marker}|${dana}`));
  await page.goto(`${podscope.url}/audit/sessions/${danaSession}`);
  await page.getByText(`There is no audit session ${danaSession}.`).waitFor();
  assert.doesNotMatch(await page.locator('body').innerText(), new RegExp(marker));
});
