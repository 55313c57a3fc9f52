// WCAG 2.2 AA as a gate: axe-core checks every page and pod tab of the real UI, in the light and the
// dark theme, in the states that matter (a failing pod selected, a search with matches, an error banner,
// an open dialog). Any violation fails with the rule, the element and axe's fix hint.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible } from '../support/axe.js';
import { cspViolations, launchBrowser, openDesktopPage, openPodscopePage } from '../support/browser.js';
import { repoRoot, uniqueName } from '../support/cluster.js';
import { createTestPod, deleteTestPod, readyDemoWebPod } from '../support/pods.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../support/podscope.js';

let podscope: RunningPodscope;
let browser: Browser;
let webPod: string;
/** A terminal session the scenes opened (and so recorded), for the audit session page. */
let recordedSession = '';

before(async () => {
  webPod = await readyDemoWebPod();
  podscope = await startPodscope({ webRoot: path.join(repoRoot, 'dist/web') });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await podscope?.close();
});

const ns = (rest = ''): string => `${podscope.url}/c/${CLUSTER}/ns/demo${rest}`;
const pod = (name: string, query: string): string => ns(`/pods/${name}?${query}`);

/** True once the selector's text matches, polled in the page. */
async function waitForText(page: Page, testId: string, pattern: RegExp): Promise<void> {
  await page.waitForFunction(
    ({ id, source, flags }) =>
      new RegExp(source, flags).test(document.querySelector(`[data-testid="${id}"]`)?.textContent ?? ''),
    { id: testId, source: pattern.source, flags: pattern.flags },
  );
}

/** A page, its theme, and the state to put it in before axe looks at it. */
interface Scene {
  name: string;
  open(page: Page): Promise<void>;
}

const scenes: Scene[] = [
  {
    name: 'cluster list',
    open: async (page) => {
      await page.goto(`${podscope.url}/clusters`);
      await page.getByTestId('cluster-list').waitFor();
    },
  },
  {
    name: 'pods list, a failing pod selected',
    open: async (page) => {
      await page.goto(ns());
      await waitForText(page, 'pod-status-crashloop', /CrashLoopBackOff|Error/);
      await page.getByTestId('pod-status-crashloop').click();
      await page.waitForSelector('[data-testid="pod-row-crashloop"][aria-selected="true"]');
    },
  },
  {
    name: 'pod containers tab of a failing pod',
    open: async (page) => {
      await page.goto(pod('crashloop', ''));
      await page.getByTestId('containers-table').waitFor();
    },
  },
  {
    name: 'previous logs of a failing pod, a search with matches',
    open: async (page) => {
      await page.goto(pod('crashloop', 'tab=logs&previous=true&q=database'));
      await page.getByTestId('log-match').first().waitFor();
    },
  },
  {
    name: 'pod events tab',
    open: async (page) => {
      await page.goto(pod('crashloop', 'tab=events'));
      await page.getByTestId('events-table').waitFor();
    },
  },
  {
    name: 'terminal tab, not connected',
    open: async (page) => {
      await page.goto(pod(webPod, 'tab=terminal&container=app'));
      await page.waitForSelector('[data-testid="terminal-policy"][data-policy="root-allowed"]');
    },
  },
  {
    name: 'terminal tab, connected',
    open: async (page) => {
      await page.goto(pod(webPod, 'tab=terminal&container=app'));
      await page.getByTestId('terminal-connect').click();
      await waitForText(page, 'terminal-status', /Connected to app/);
      const href = (await page.getByTestId('terminal-session-link').getAttribute('href')) ?? '';
      recordedSession = /([0-9a-f-]{36})$/.exec(href)?.[1] ?? '';
    },
  },
  {
    name: 'terminal tab, an error banner (no shell)',
    open: async (page) => {
      await page.goto(pod('noshell', 'tab=terminal&container=app'));
      await page.getByTestId('terminal-connect').click();
      await page.getByTestId('error-banner').waitFor();
    },
  },
  {
    name: 'debug tab of a failing pod',
    open: async (page) => {
      await page.goto(pod('crashloop', 'tab=debug'));
      await page.getByTestId('copy-create').waitFor();
    },
  },
  {
    name: 'files tab, a directory listed',
    open: async (page) => {
      await page.goto(pod(webPod, 'tab=files&container=app&path=/etc'));
      await page.getByTestId('files-table').waitFor();
    },
  },
  {
    name: 'namespace events',
    open: async (page) => {
      await page.goto(ns('/events'));
      await page.getByTestId('events-table').waitFor();
    },
  },
  {
    name: 'merged logs of a Deployment',
    open: async (page) => {
      await page.goto(ns('/workloads/deployment/web/logs'));
      await page.getByTestId('log-legend').waitFor();
      await page.getByTestId('log-line').first().waitFor();
      // JSON lines of the two pods can be neighbours: the pointer over one shows its {} button, and
      // that button must still be a large enough target with nothing else clickable next to it. The
      // view follows new lines; a turn of the wheel up, as someone reading does, keeps the lines put.
      await page.getByTestId('log-line').filter({ hasText: '"msg":"order served"' }).first().waitFor();
      const view = (await page.getByTestId('log-scroll').boundingBox())!;
      await page.mouse.move(view.x + view.width / 2, view.y + view.height / 2);
      await page.mouse.wheel(0, -300);
      await page.waitForTimeout(300);
      const index = await page.evaluate(() => {
        const box = document.querySelector('[data-testid="log-scroll"]')!.getBoundingClientRect();
        return (
          [...document.querySelectorAll('[data-testid="log-line"]')]
            .find((row) => {
              const r = row.getBoundingClientRect();
              return (
                row.textContent?.includes('"msg":"order served"') &&
                r.top >= box.top &&
                r.bottom <= box.bottom
              );
            })
            ?.getAttribute('data-index') ?? null
        );
      });
      assert.ok(index !== null, 'a JSON line in view');
      const jsonLine = page.locator(`[data-testid="log-line"][data-index="${index}"]`);
      await jsonLine.hover({ position: { x: 40, y: 9 } });
      await jsonLine.getByTestId('log-json-toggle').waitFor({ state: 'visible' });
      assert.equal(
        await page.locator('[data-testid="log-json-toggle"]:visible').count(),
        1,
        'one {} button shows: the hovered line’s',
      );
    },
  },
  {
    name: 'merged logs by label selector, none chosen',
    open: async (page) => {
      await page.goto(ns('/logs'));
      await page.getByTestId('log-selector').waitFor();
    },
  },
  {
    name: 'audit list',
    open: async (page) => {
      await page.goto(`${podscope.url}/audit`);
      await page.getByTestId('audit-row').first().waitFor();
    },
  },
  {
    name: 'audit session with its replay',
    open: async (page) => {
      assert.ok(recordedSession, 'the terminal scene recorded a session');
      await page.goto(`${podscope.url}/audit/sessions/${recordedSession}`);
      await page.getByTestId('audit-commands').waitFor();
      await page.locator('[data-testid="audit-replay"] .ap-player').waitFor();
    },
  },
  {
    name: 'the keyboard shortcuts dialog, open over a pod page',
    open: async (page) => {
      await page.goto(pod('crashloop', 'tab=logs&previous=true'));
      await page.getByTestId('log-line').first().waitFor();
      await page.locator('body').press('?');
      await page.waitForSelector('[data-testid="shortcuts-dialog"][open]');
    },
  },
  {
    name: 'an unknown pod (error banner)',
    open: async (page) => {
      await page.goto(pod('no-such-pod', ''));
      await page.getByTestId('error-banner').waitFor();
    },
  },
  {
    name: 'an unknown address',
    open: async (page) => {
      await page.goto(`${podscope.url}/nowhere`);
      await page.getByRole('link', { name: 'Go to the cluster list' }).waitFor();
    },
  },
];

for (const theme of ['light', 'dark'] as const) {
  describe(`${theme} theme`, () => {
    let page: Page;
    before(async () => {
      page = await openDesktopPage(browser, podscope);
      await page.addInitScript((t) => window.localStorage.setItem('podscope.theme', t), theme);
    });
    after(async () => page?.close());

    for (const scene of scenes) {
      test(`${scene.name}: no WCAG 2.2 AA violation`, async () => {
        await scene.open(page);
        assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme);
        await assertAccessible(page, `${scene.name} (${theme} theme)`);
      });
    }

    test('no Content-Security-Policy violation on the way', () => {
      assert.deepEqual(cspViolations(page), []);
    });
  });
}

/**
 * Keeps every text the page's live regions (the app's announcer and each role=status) take, so a test
 * can find an announcement even when a later one has replaced it.
 */
async function recordAnnouncements(page: Page): Promise<void> {
  await page.evaluate(() => {
    const heard: string[] = [];
    (window as unknown as { __heard: string[] }).__heard = heard;
    new MutationObserver(() => {
      for (const region of document.querySelectorAll('[role="status"], [role="alert"], [aria-live]')) {
        const text = region.textContent?.trim() ?? '';
        if (text && heard.at(-1) !== text) heard.push(text);
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

async function waitForAnnouncement(page: Page, pattern: RegExp, timeout = 60_000): Promise<string> {
  const handle = await page.waitForFunction(
    ({ source, flags }) =>
      (window as unknown as { __heard: string[] }).__heard.find((t) => new RegExp(source, flags).test(t)),
    { source: pattern.source, flags: pattern.flags },
    { timeout },
  );
  return (await handle.jsonValue()) as string;
}

describe('what changes by itself is announced to screen readers', () => {
  let page: Page;
  const created: string[] = [];
  before(async () => {
    page = await openDesktopPage(browser, podscope);
  });
  after(async () => {
    await page?.close();
    for (const name of created) await deleteTestPod(name);
  });

  test('a pod that starts failing while the list is open', async () => {
    await page.goto(ns());
    await page.getByTestId('pod-row-crashloop').waitFor();
    await recordAnnouncements(page);
    const name = await createTestPod({
      prefix: 'a11y-fails',
      script: 'sleep 2; exit 3',
      restartPolicy: 'Never',
    });
    created.push(name);
    const said = await waitForAnnouncement(page, new RegExp(`${name} needs attention|attention: .*${name} `));
    assert.match(said, /Error/);
    assert.equal(
      await page.getByTestId('announcer').getAttribute('role'),
      'status',
      'said by a polite live region that was there from the start',
    );
  });

  test('a finished upload', async () => {
    await page.goto(pod(webPod, 'tab=files&container=app&path=/tmp'));
    await page.getByTestId('files-table').or(page.getByTestId('files-empty')).waitFor();
    await recordAnnouncements(page);
    const file = `${uniqueName('a11y-upload')}.txt`;
    await page.getByTestId('files-upload-input').setInputFiles({
      name: file,
      mimeType: 'text/plain',
      buffer: Buffer.from('announced\n'),
    });
    await page.getByTestId('files-upload-button').focus();
    await page.keyboard.press('Enter');
    // The announcer's sentence (the result on screen is a role=status too, but inserted with its text).
    assert.equal(await waitForAnnouncement(page, /^Uploaded \S+, /), `Uploaded /tmp/${file}, 10 B.`);
  });

  test('"connection lost — retrying" when the server goes away', async () => {
    // A server of its own, to stop under the page.
    const doomed = await startPodscope({ webRoot: path.join(repoRoot, 'dist/web') });
    const other = await openPodscopePage(browser, doomed);
    try {
      other.setDefaultTimeout(30_000);
      await other.goto(`${doomed.url}/c/${CLUSTER}/ns/demo`);
      await waitForText(other, 'connection-status', /^live$/);
      await recordAnnouncements(other);
      await doomed.close();
      const said = await waitForAnnouncement(other, /connection lost — retrying/);
      assert.match(said, /^connection lost — retrying in \d+s$/);
      assert.equal(await other.getByTestId('connection-status').getAttribute('role'), 'status');
    } finally {
      await other.close();
    }
  });
});
