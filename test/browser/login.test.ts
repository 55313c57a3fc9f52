// Token login in the real UI: the sign-in page (WCAG 2.2 AA, no CSP violation), a refused token said
// in a sentence, a ServiceAccount's token taking the person to the page they asked for with their name
// in the header, sign-out, and a session ended elsewhere bringing the sign-in page back.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axeViolations } from '../support/axe.js';
import { launchBrowser } from '../support/browser.js';
import { kubectl, kubectlOk, repoRoot, uniqueName } from '../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../support/podscope.js';
import { READ_PODS, serviceAccount, SignedInClient, testSealer, tokenOf } from '../support/token-login.js';

const ns = uniqueName('uilogin');
const user = `system:serviceaccount:${ns}:reader`;
let podscope: RunningPodscope;
let browser: Browser;
let page: Page;
let token = '';
const seenCsp: string[] = [];

before(async () => {
  await kubectlOk(['create', 'namespace', ns]);
  await kubectlOk(['label', 'namespace', ns, 'podscope-test=true']);
  await serviceAccount(ns, 'reader', READ_PODS);
  token = await tokenOf(ns, 'reader');
  podscope = await startPodscope({
    webRoot: path.join(repoRoot, 'dist/web'),
    tokenLogin: { sealer: testSealer(), publicUrl: null },
  });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(30_000);
  await page.exposeBinding('__podscopeCspViolation', (_s, report: string) => void seenCsp.push(report));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { __podscopeCspViolation(r: string): void }).__podscopeCspViolation(
        `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}`,
      ),
    );
  });
});
after(async () => {
  await browser?.close();
  await podscope?.close();
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
});

const podsPath = `/c/${CLUSTER}/ns/${ns}`;

test('without a session the app shows the sign-in page, accessible, with the token field focused', async () => {
  await page.goto(`${podscope.url}${podsPath}`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal(await page.title(), 'Sign in — Podscope');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'login-token');
  assert.equal(new URL(page.url()).pathname, podsPath, 'the address stays the page asked for');
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(seenCsp, []);
});

test('an empty field and a refused token are said in a sentence, announced, and leave the person on the page', async () => {
  await page.getByTestId('login-submit').click();
  assert.match(
    (await page.getByTestId('login-error').textContent()) ?? '',
    /Paste a Kubernetes bearer token first/,
  );
  await page.getByTestId('login-token').fill('not-a-kubernetes-token');
  await page.getByTestId('login-submit').click();
  await page.getByText(/Kubernetes does not accept this token/).waitFor();
  assert.equal(await page.getByTestId('login-error').getAttribute('role'), 'alert');
  assert.equal(await page.getByTestId('login-token').getAttribute('aria-invalid'), 'true');
  assert.deepEqual(await axeViolations(page), [], 'the error state too');
});

test("a ServiceAccount's token signs in: the page asked for, and the person's name in the header", async () => {
  await page.getByTestId('login-token').fill(token);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('signed-in-user').waitFor();
  assert.equal(await page.getByTestId('signed-in-user').textContent(), user);
  assert.equal(new URL(page.url()).pathname, podsPath);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'podscope-session');
  assert.ok(session, JSON.stringify(cookies.map((c) => c.name)));
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.deepEqual(await axeViolations(page), []);
});

test('sign out returns to the sign-in page, and a reload stays there', async () => {
  await page.getByTestId('sign-out').click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.match((await page.getByTestId('login-notice').textContent()) ?? '', /You signed out/);
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal(
    (await page.context().cookies()).find((c) => c.name === 'podscope-session'),
    undefined,
  );
});

test('a session ended elsewhere (sign-out on another tab or replica) brings the sign-in page back', async () => {
  await page.getByTestId('login-token').fill(token);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('signed-in-user').waitFor();
  const cookie = (await page.context().cookies()).find((c) => c.name === 'podscope-session')!;
  // A page without live streams (those would close with 4401 at once: the next test).
  await page.getByTestId('nav-audit').click();
  await page.getByRole('heading', { name: 'Audit' }).first().waitFor();
  const elsewhere = new SignedInClient(podscope.url, `${cookie.name}=${cookie.value}`);
  assert.equal((await elsewhere.logout()).status, 200);
  // The next API call the page makes (moving to the cluster list) is refused: login-required.
  await page.getByRole('link', { name: 'Podscope', exact: true }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.match((await page.getByTestId('login-notice').textContent()) ?? '', /Your session has ended/);
  assert.deepEqual(seenCsp, []);
});

test('signed out in another tab: the open page, with no click, shows the sign-in page, and its streams do not reconnect', async () => {
  await page.getByTestId('login-token').fill(token);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('signed-in-user').waitFor();
  const sockets: string[] = [];
  const onSocket = (ws: { url(): string }) => void sockets.push(ws.url());
  page.on('websocket', onSocket);
  try {
    await page.goto(`${podscope.url}${podsPath}`);
    await page.getByTestId('signed-in-user').waitFor();
    // The pod list's live watch is open.
    for (let i = 0; i < 200 && !sockets.some((u) => u.includes('/pods/watch')); i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.ok(
      sockets.some((u) => u.includes('/pods/watch')),
      `the pod watch opened: ${JSON.stringify(sockets)}`,
    );
    const cookie = (await page.context().cookies()).find((c) => c.name === 'podscope-session')!;
    const otherTab = new SignedInClient(podscope.url, `${cookie.name}=${cookie.value}`);
    const before = sockets.length;
    assert.equal((await otherTab.logout()).status, 200);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 5000 });
    assert.match((await page.getByTestId('login-notice').textContent()) ?? '', /Your session has ended/);
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(sockets.length, before, `no socket opened after the sign-out: ${JSON.stringify(sockets)}`);
  } finally {
    page.off('websocket', onSocket);
  }
});
