// Single sign-on in the real UI, against the test environment's real provider: the sign-in page offers
// "Sign in with <provider>" (WCAG 2.2 AA, no CSP violation), the provider's own form and consent, back
// on the page that was asked for with the person (email, groups) in the header, the pods listed as them;
// sign-out goes on to the provider's logout page and back to Podscope's sign-in page.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations } from '../support/axe.js';
import { launchBrowser } from '../support/browser.js';
import { repoRoot } from '../support/cluster.js';
import { oidcEnv } from '../support/oidc.js';
import { freePort, oidcLoginOptions } from '../support/oidc-login.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../support/podscope.js';

let podscope: RunningPodscope;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const seenCsp: string[] = [];
const provider = new URL(oidcEnv().issuer);

before(async () => {
  const port = await freePort();
  podscope = await startPodscope({
    webRoot: path.join(repoRoot, 'dist/web'),
    port,
    oidcLogin: oidcLoginOptions(`http://127.0.0.1:${port}`, 'impersonation'),
  });
  browser = await launchBrowser();
  // The provider's certificate is signed by the test environment's own CA, which this fresh browser
  // profile does not know; Podscope's server side checks it properly (--oidc-ca-file).
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ignoreHTTPSErrors: true });
  page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.exposeBinding('__podscopeCspViolation', (_s, report: string) => void seenCsp.push(report));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { __podscopeCspViolation(r: string): void }).__podscopeCspViolation(
        `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} on ${location.host}`,
      ),
    );
  });
});
after(async () => {
  await browser?.close();
  await podscope?.close();
});

const podsPath = `/c/${CLUSTER}/ns/demo`;
const ourCsp = () => seenCsp.filter((r) => r.endsWith(`on ${new URL(podscope.url).host}`));

test('without a session the app offers "Sign in with <provider>", accessible and focused', async () => {
  await page.goto(`${podscope.url}${podsPath}`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  const link = page.getByTestId('login-sso');
  assert.equal(await link.textContent(), `Sign in with ${provider.host}`);
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'login-sso');
  assert.equal(new URL(page.url()).pathname, podsPath, 'the address stays the page asked for');
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(ourCsp(), []);
});

test("the provider's form and consent, then back on the page asked for, named in the header", async () => {
  await page.getByTestId('login-sso').click();
  await page.waitForURL((u) => u.origin === provider.origin);
  await page.locator('#username').fill('dana');
  await page.locator('#password').fill('dana-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const allow = page.getByRole('button', { name: 'Allow' });
  await allow.waitFor();
  await allow.click();
  await page.waitForURL((u) => u.origin === podscope.url && u.pathname === podsPath);
  await page.getByTestId('signed-in-user').waitFor();
  assert.equal(await page.getByTestId('signed-in-user').textContent(), 'dana@podscope.test');
  assert.match((await page.getByTestId('signed-in-groups').textContent()) ?? '', /dev-team/);
  const cookies = await context.cookies(podscope.url);
  const session = cookies.find((c) => c.name === 'podscope-session');
  assert.ok(session, JSON.stringify(cookies.map((c) => c.name)));
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.equal(
    cookies.find((c) => c.name === 'podscope-login-flow'),
    undefined,
    'the flow cookie is gone',
  );
  // The demo namespace's pods, listed as dana (group dev-team may read them).
  await page.getByTestId('pod-row-crashloop').waitFor();
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(ourCsp(), []);
});

test("sign-out goes on to the provider's logout page, then back to the sign-in page", async () => {
  await page.getByTestId('sign-out').click();
  await page.waitForURL((u) => u.origin === provider.origin);
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await page.waitForURL((u) => u.origin === podscope.url);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal(
    (await context.cookies(podscope.url)).find((c) => c.name === 'podscope-session'),
    undefined,
  );
  assert.deepEqual(ourCsp(), []);
});
