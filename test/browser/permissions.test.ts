// The RBAC-aware pod page in the real UI: a viewer (a ServiceAccount bound to `view` in a test
// namespace, used as local mode's kubeconfig) sees who they are in the header, the terminal's Connect
// button disabled with the reason Kubernetes gives (visible, and its accessible description), the debug
// actions disabled likewise, their logs working — all WCAG 2.2 AA in both themes, without a CSP violation.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible } from '../support/axe.js';
import { cspViolations, launchBrowser, openDesktopPage } from '../support/browser.js';
import {
  APP_IMAGE,
  kubectl,
  kubectlOk,
  repoRoot,
  serviceAccountKubeconfig,
  uniqueName,
} from '../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../support/podscope.js';
import { createPod, waitPodRunning } from '../integration/terminal/test-pods.js';

const ns = uniqueName('uiperm');
const dir = mkdtempSync(path.join(tmpdir(), 'podscope-uiperm-'));
let pod: string;
let podscope: RunningPodscope;
let browser: Browser;
let page: Page;

before(async () => {
  await kubectlOk(['create', 'namespace', ns]);
  await kubectlOk(['label', 'namespace', ns, 'podscope-test=true']);
  const r = await kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'viewer', namespace: ns } },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'viewer-view', namespace: ns },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
          subjects: [{ kind: 'ServiceAccount', name: 'viewer', namespace: ns }],
        },
      ],
    }),
  });
  assert.equal(r.code, 0, r.stderr);
  pod = await createPod({
    prefix: 'talker',
    image: APP_IMAGE,
    namespace: ns,
    command: ['sh', '-c', 'echo "hello from the viewer test"; exec sleep 100000'],
  });
  const kubeconfig = await serviceAccountKubeconfig(ns, 'viewer', path.join(dir, 'viewer.kubeconfig'));
  podscope = await startPodscope({ webRoot: path.join(repoRoot, 'dist/web'), kubeconfig });
  browser = await launchBrowser();
  await waitPodRunning(pod, ns);
});
after(async () => {
  await browser?.close();
  await podscope?.close();
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
  rmSync(dir, { recursive: true, force: true });
});

const podUrl = (query: string) => `${podscope.url}/c/${CLUSTER}/ns/${ns}/pods/${pod}?${query}`;
const TERMINAL_REASON = `You may not create pods/exec or get pods/exec in namespace "${ns}".`;

describe('a viewer on the pod page', () => {
  before(async () => {
    page = await openDesktopPage(browser, podscope);
  });

  test('the header says who they are: the kubeconfig user, as Kubernetes names it', async () => {
    await page.goto(podUrl('tab=terminal'));
    await page.getByTestId('whoami-user').waitFor();
    assert.equal(await page.getByTestId('whoami-user').textContent(), `system:serviceaccount:${ns}:viewer`);
  });

  test('the terminal’s Connect is disabled, with the reason shown and as its accessible description', async () => {
    await page.getByTestId('terminal-denied').waitFor();
    assert.equal(await page.getByTestId('terminal-denied').textContent(), TERMINAL_REASON);
    const connect = page.getByTestId('terminal-connect');
    assert.equal(await connect.isDisabled(), true);
    const describedBy = await connect.getAttribute('aria-describedby');
    assert.ok(describedBy);
    assert.equal(await page.locator(`[id="${describedBy}"]`).getAttribute('data-testid'), 'terminal-denied');
    // What a screen reader announces for the button: its name and that description.
    const snapshot = await connect.evaluate((el) => ({
      description: (el.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    }));
    assert.equal(snapshot.description, TERMINAL_REASON);
    await assertAccessible(page, 'terminal tab, Connect disabled for a viewer');
  });

  test('the debug actions are disabled with their reasons; node debugging names its namespace', async () => {
    await page.goto(podUrl('tab=debug'));
    await page.getByTestId('debug-start-denied').waitFor();
    assert.equal(await page.getByTestId('debug-start').isDisabled(), true);
    assert.match(
      (await page.getByTestId('debug-start-denied').textContent()) ?? '',
      /You may not patch pods\/ephemeralcontainers/,
    );
    assert.equal(await page.getByTestId('copy-create').isDisabled(), true);
    assert.match(
      (await page.getByTestId('copy-create-denied').textContent()) ?? '',
      /You may not create pods/,
    );
    assert.equal(await page.getByTestId('node-debug-create').isDisabled(), true);
    assert.match(
      (await page.getByTestId('node-debug-denied').textContent()) ?? '',
      /You may not create pods.* in namespace "default"/,
    );
    await assertAccessible(page, 'debug tab, actions disabled for a viewer');
  });

  test('files say why instead of listing; logs, which `view` allows, stream', async () => {
    await page.goto(podUrl('tab=files&container=app'));
    await page.getByTestId('files-error').waitFor();
    assert.match(
      (await page.getByTestId('files-error').textContent()) ?? '',
      /You may not create pods\/exec/,
    );
    await page.goto(podUrl('tab=logs'));
    await page.getByText('hello from the viewer test').waitFor();
    assert.equal(await page.getByTestId('logs-denied').count(), 0);
  });

  test('the dark theme is accessible too, and nothing broke the CSP', async () => {
    await page.evaluate(() => window.localStorage.setItem('podscope.theme', 'dark'));
    await page.goto(podUrl('tab=terminal'));
    await page.getByTestId('terminal-denied').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await assertAccessible(page, 'terminal tab, Connect disabled for a viewer (dark theme)');
    assert.deepEqual(cspViolations(page), []);
  });
});
