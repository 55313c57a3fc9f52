// Keyboard only, no mouse: a user finds the failing pod, opens it, reads its previous logs, searches
// them, and starts a terminal — every step with keys. And on every page and tab, each control can be
// reached with Tab and shows where the focus is (WCAG 2.1.1, 2.1.2, 2.4.7).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openDesktopPage, terminalScreenText } from '../support/browser.js';
import { repoRoot } from '../support/cluster.js';
import { readyDemoWebPod } from '../support/pods.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../support/podscope.js';

let podscope: RunningPodscope;
let browser: Browser;
let webPod: string;
/** The terminal session the keyboard-only walk recorded, for the audit session page's Tab round. */
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

async function newPage(): Promise<Page> {
  const page = await openDesktopPage(browser, podscope);
  return page;
}

const ns = (rest = ''): string => `${podscope.url}/c/${CLUSTER}/ns/demo${rest}`;

/** What has the focus, in words: tag, role, name, test id. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return '(nothing)';
    const name = el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 40) ?? '';
    const id = el.getAttribute('data-testid');
    const role = el.getAttribute('role');
    return `${el.tagName.toLowerCase()}${role ? `[role=${role}]` : ''}${id ? `[${id}]` : ''} "${name}"`;
  });
}

/**
 * Why the focused element shows no focus indicator, or null when it does: an outline (or, for the
 * terminal's hidden input, its frame's; for the log list, a box-shadow ring) of some width, on an element
 * with a size.
 */
function focusIndicatorProblem(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'nothing has the focus';
    // Chrome's calendar button inside a date field: the field is the active element but not :focus,
    // and the browser draws its own ring on the button, where page scripts cannot look.
    if (el.matches('input[type="datetime-local"]') && !el.matches(':focus')) return null;
    const shown = el.closest('.terminal-frame') ?? el;
    const style = getComputedStyle(shown);
    const rect = shown.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) return 'the focused element has no size';
    // The log list's ring is a box-shadow (painted under its rows: an outline over them costs frames).
    if (el.matches('.log-scroll') && style.boxShadow !== 'none') return null;
    if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 1) return 'no outline';
    return null;
  });
}

/** Presses Tab until `done` holds for the focused element, checking each stop on the way is visible. */
async function tabUntil(page: Page, what: string, done: () => Promise<boolean>, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    // Past the last control the focus is in the browser's own UI for one press. (One look at the page:
    // asked twice, a re-render in between could move the focus away from what the first look saw.)
    const problem = await focusIndicatorProblem(page);
    if (problem === 'nothing has the focus') continue;
    assert.equal(problem, null, `no visible focus on ${await focused(page)}`);
    if (await done()) return;
  }
  throw new Error(`${max} presses of Tab never reached ${what} (last: ${await focused(page)})`);
}

const isFocused = (page: Page, selector: string) => (): Promise<boolean> =>
  page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector);

describe('keyboard only: from the pod list to the failing pod, its previous logs and a terminal', () => {
  let page: Page;
  before(async () => {
    page = await newPage();
    await page.goto(ns());
    await page.getByTestId('pod-row-crashloop').waitFor();
  });
  after(async () => page?.close());

  test('the first Tab stop skips the header, straight to the page', async () => {
    await page.keyboard.press('Tab');
    assert.match(await focused(page), /^a "Skip to content"/);
    assert.equal(await focusIndicatorProblem(page), null, 'the skip link is visible when focused');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
  });

  test('/ filters, Esc leaves the filter, j selects the failing pod and focuses it, Enter opens it', async () => {
    await page.keyboard.press('/');
    assert.match(await focused(page), /pod-filter/);
    await page.keyboard.type('crashloop');
    await page.keyboard.press('Escape');
    // The filter also matches other pods by status (CrashLoopBackOff): j walks down to this one.
    const selected = '[data-testid="pod-row-crashloop"][aria-selected="true"]';
    for (let i = 0; i < 15 && (await page.locator(selected).count()) === 0; i++) {
      await page.keyboard.press('j');
    }
    await page.waitForSelector(selected);
    assert.equal(await focused(page), 'a "crashloop"', 'the focus moves with the selection');
    assert.equal(await focusIndicatorProblem(page), null);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname.endsWith('/pods/crashloop'));
    await page.waitForFunction(() => document.title === 'crashloop · Containers — Podscope');
  });

  test('the tabs are one Tab stop; arrows move along them and Enter opens Logs', async () => {
    await tabUntil(page, 'the open tab', isFocused(page, '[role="tab"][aria-selected="true"]'));
    assert.match(await focused(page), /tab-containers/);
    await page.keyboard.press('ArrowRight');
    assert.match(await focused(page), /tab-logs/);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('tab') === 'logs');
    await page.getByTestId('log-viewer').waitFor();
  });

  test('"Previous" is reached with Tab and pressed with Space: the crashed instance\'s output', async () => {
    await tabUntil(page, 'the Previous toggle', isFocused(page, '[data-testid="log-previous-toggle"]'));
    await page.keyboard.press('Space');
    await page.waitForURL((url) => ['1', 'true'].includes(url.searchParams.get('previous') ?? ''));
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="log-line"]')].some((l) =>
        l.textContent?.includes('FATAL'),
      ),
    );
    const log = page.getByRole('log');
    assert.equal(
      await log.getAttribute('aria-label'),
      'Container output',
      'the output is announced as a log',
    );
    // The list itself is reached with Tab (it scrolls with the arrow keys) and shows its ring.
    await tabUntil(page, 'the log list', isFocused(page, '[data-testid="log-scroll"]'));
  });

  test('typing a search moves the view to the first match and says how many; Enter goes on', async () => {
    await page.keyboard.press('/');
    assert.match(await focused(page), /log-search/);
    await page.keyboard.type('e');
    // No Enter: the view moves to the first match by itself, as a browser's find does.
    await page.locator('mark.log-match.current').waitFor();
    const count = page.getByTestId('log-search-count');
    const total = Number(/of ([\d,]+) matches|^([\d,]+) match/.exec((await count.textContent()) ?? '')?.[1]);
    assert.ok(total > 1, `"e" matches several times in the previous logs (${await count.textContent()})`);
    assert.equal(await count.textContent(), `1 of ${total} matches`);
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (t) => document.querySelector('[data-testid="log-search-count"]')?.textContent === `2 of ${t} matches`,
      total,
    );
    // A screen reader hears the result once the search settles (the live region, not the counter).
    await page.waitForFunction(
      (t) => document.querySelector('[data-testid="announcer"]')?.textContent === `2 of ${t} matches`,
      total,
    );

    await page.keyboard.press('Control+A');
    await page.keyboard.type('database');
    // Typed slowly (a loaded machine), a prefix such as "databas" may be searched first, with one match
    // too: the count means "database" once that is the search (committed to the URL after a pause).
    await page.waitForURL((url) => url.searchParams.get('q') === 'database');
    await page.waitForFunction(() =>
      /^(1 match|1 of \d+ matches)$/.test(
        document.querySelector('[data-testid="log-search-count"]')?.textContent ?? '',
      ),
    );
    assert.equal((await page.locator('mark.log-match.current').textContent())?.toLowerCase(), 'database');
  });

  test('a running pod is found from the list and its terminal started, used and left with keys', async () => {
    // Back to the list by its breadcrumb link, reached with Shift+Tab from the search box.
    for (let i = 0; i < 60 && !/Pods in demo/.test(await focused(page)); i++) {
      await page.keyboard.press('Shift+Tab');
    }
    assert.match(await focused(page), /Pods in demo/);
    await page.keyboard.press('Enter');
    await page.getByTestId(`pod-row-${webPod}`).waitFor();
    await page.keyboard.press('/');
    await page.keyboard.type(webPod);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname.endsWith(`/pods/${webPod}`));
    await page.locator('[role="tab"][aria-selected="true"]').waitFor();

    await tabUntil(page, 'the open tab', isFocused(page, '[role="tab"][aria-selected="true"]'));
    for (const expected of ['logs', 'events', 'terminal']) {
      await page.keyboard.press('ArrowRight');
      assert.match(await focused(page), new RegExp(`tab-${expected}`));
    }
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('tab') === 'terminal');
    await page.waitForSelector('[data-testid="terminal-policy"][data-policy="root-allowed"]');

    await tabUntil(page, 'Connect', isFocused(page, '[data-testid="terminal-connect"]'));
    await page.keyboard.press('Enter');
    await page.waitForFunction(() =>
      /Connected to app/.test(document.querySelector('[data-testid="terminal-status"]')?.textContent ?? ''),
    );
    const href = (await page.getByTestId('terminal-session-link').getAttribute('href')) ?? '';
    recordedSession = /([0-9a-f-]{36})$/.exec(href)?.[1] ?? '';
    // The terminal takes the focus once the shell is there, and shows it on its frame.
    await page.waitForFunction(() => document.activeElement?.closest('.terminal-frame') !== null);
    assert.equal(await focusIndicatorProblem(page), null);
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('aria-describedby')),
      await page.getByTestId('terminal-hint').getAttribute('id'),
      'entering the terminal reads out how to leave it',
    );
    await page.keyboard.type('echo kb-$((6*7))');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="terminal-screen"] .xterm-rows > div')].some(
        (r) => r.textContent?.trim() === 'kb-42',
      ),
    );

    // Tab belongs to the shell while the session runs (completion): the focus stays.
    await page.keyboard.press('Tab');
    assert.notEqual(
      await page.evaluate(() => document.activeElement?.closest('.terminal-frame')),
      null,
      'Tab stays in the terminal',
    );
    await page.keyboard.press('Control+U'); // whatever completion typed, the line is empty again

    await page.keyboard.press('Control+Shift+L');
    assert.match(await focused(page), /terminal-disconnect/, 'Ctrl+Shift+L leaves the terminal');
    assert.equal(await focusIndicatorProblem(page), null);
    assert.ok((await terminalScreenText(page)).includes('kb-42'), 'the session was not disturbed by leaving');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() =>
      /Disconnected/.test(document.querySelector('[data-testid="terminal-status"]')?.textContent ?? ''),
    );
  });

  test('? opens the keyboard shortcuts, which name the terminal key; Esc closes and gives the focus back', async () => {
    await page.getByTestId('terminal-connect').focus();
    await page.keyboard.press('?');
    const dialog = page.getByTestId('shortcuts-dialog');
    await page.waitForSelector('[data-testid="shortcuts-dialog"][open]');
    assert.match((await dialog.textContent()) ?? '', /Ctrl\+Shift\+L\s*Leave the terminal/);
    assert.equal(
      await page.evaluate(() => document.activeElement?.closest('dialog') !== null),
      true,
      'the focus is in the dialog',
    );
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="shortcuts-dialog"]:not([open])', { state: 'attached' });
    assert.match(await focused(page), /terminal-connect/);
  });
});

/**
 * Tabs through the whole page once and returns the visible, enabled controls the focus never reached,
 * and the stops that showed no focus indicator (or where Tab stopped moving: a keyboard trap). Controls the ARIA patterns reach with arrows instead
 * (the tabs not open, tabindex=-1) are not expected in the Tab order.
 */
const CONTROLS = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])';

async function tabThroughPage(page: Page): Promise<{ unreached: string[]; invisible: string[] }> {
  // Live pages add rows while the round goes on, and move a row to the top when its event repeats
  // (the move may carry it behind the focus): only what was there when the round started, and stayed
  // where it was, must be reached.
  await page.evaluate((controls) => {
    for (const el of document.querySelectorAll('[data-kb-reached], [data-kb-last], [data-kb-moved]')) {
      el.removeAttribute('data-kb-reached');
      el.removeAttribute('data-kb-last');
      el.removeAttribute('data-kb-moved');
    }
    for (const el of document.querySelectorAll<HTMLElement>(controls)) el.dataset.kbBefore = '1';
    const w = window as unknown as { kbObserver?: MutationObserver };
    w.kbObserver?.disconnect();
    w.kbObserver = new MutationObserver((records) => {
      for (const r of records) {
        for (const node of r.addedNodes) {
          if (!(node instanceof HTMLElement)) continue;
          for (const el of [node, ...node.querySelectorAll<HTMLElement>(controls)]) {
            if (el.matches(controls)) el.dataset.kbMoved = '1';
          }
        }
      }
    });
    w.kbObserver.observe(document.body, { childList: true, subtree: true });
    (document.activeElement as HTMLElement | null)?.blur();
  }, CONTROLS);
  const invisible: string[] = [];
  let started = false;
  let stuck = 0;
  let rounded = false;
  for (let i = 0; i < 300; i++) {
    await page.keyboard.press('Tab');
    // A date field takes several presses (one per part) on the same element: only the first stop
    // coming round again ends the round. The last stop is marked, for where a long page's round ends.
    const stop = await page.evaluate((isFirst) => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return 'outside';
      if (el.dataset.kbReached === 'first') return 'round';
      const again = el.dataset.kbLast === '1';
      for (const last of document.querySelectorAll<HTMLElement>('[data-kb-last]')) delete last.dataset.kbLast;
      el.dataset.kbLast = '1';
      if (el.dataset.kbReached === undefined) el.dataset.kbReached = isFirst ? 'first' : '1';
      return again ? 'same' : 'stop';
    }, !started);
    if (stop === 'round') {
      rounded = true;
      break;
    }
    if (stop === 'outside') continue; // the browser's own UI, between the last control and the first
    started = true;
    stuck = stop === 'same' ? stuck + 1 : 0;
    if (stuck > 8) {
      invisible.push(`Tab is trapped at ${await focused(page)}`);
      break;
    }
    const problem = await focusIndicatorProblem(page);
    if (problem !== null) invisible.push(`${await focused(page)}: ${problem}`);
  }
  const unreached = await page.evaluate(
    ({ controls, cut }) => {
      const candidates = document.querySelectorAll<HTMLElement>(controls);
      // A page longer than the round (hundreds of events) is judged up to where the round got.
      const last = cut ? document.querySelector('[data-kb-last]') : null;
      return [...candidates]
        .filter((el) => {
          if (el.dataset.kbBefore !== '1' || el.dataset.kbMoved === '1') return false;
          if (last && last.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) return false;
          if ((el as HTMLButtonElement).disabled) return false;
          if (el.getAttribute('tabindex') === '-1') return false;
          if (el.closest('dialog:not([open]), .xterm')) return false;
          const rect = el.getBoundingClientRect();
          if (rect.width === 0 && rect.height === 0) return false;
          if (getComputedStyle(el).visibility === 'hidden') return false;
          return el.dataset.kbReached === undefined;
        })
        .map(
          (el) => `${el.tagName.toLowerCase()} ${el.getAttribute('data-testid') ?? el.textContent?.trim()}`,
        );
    },
    { controls: CONTROLS, cut: !rounded },
  );
  return { unreached, invisible };
}

describe('every control on every page and tab is reached with Tab and shows the focus', () => {
  let page: Page;
  before(async () => {
    page = await newPage();
  });
  after(async () => page?.close());

  const pages: { name: string; url: () => string; ready: (p: Page) => Promise<unknown> }[] = [
    { name: 'pod list', url: () => ns(), ready: (p) => p.getByTestId('pod-row-crashloop').waitFor() },
    {
      name: 'containers tab',
      url: () => ns('/pods/crashloop'),
      ready: (p) => p.getByTestId('containers-table').waitFor(),
    },
    {
      name: 'previous logs with a search',
      url: () => ns('/pods/crashloop?tab=logs&previous=true&q=database'),
      ready: (p) => p.locator('mark.log-match').first().waitFor(),
    },
    {
      name: 'events tab',
      url: () => ns('/pods/crashloop?tab=events'),
      ready: (p) => p.getByTestId('events-table').waitFor(),
    },
    {
      name: 'terminal tab before connecting (Tab passes through the terminal)',
      url: () => ns(`/pods/${webPod}?tab=terminal&container=app`),
      ready: (p) => p.waitForSelector('[data-testid="terminal-policy"][data-policy="root-allowed"]'),
    },
    {
      name: 'debug tab',
      url: () => ns('/pods/crashloop?tab=debug'),
      ready: (p) => p.getByTestId('copy-create').waitFor(),
    },
    {
      name: 'files tab',
      url: () => ns(`/pods/${webPod}?tab=files&container=app&path=/etc`),
      ready: (p) => p.getByTestId('files-table').waitFor(),
    },
    {
      name: 'namespace events',
      url: () => ns('/events'),
      ready: (p) => p.getByTestId('events-table').waitFor(),
    },
    {
      name: 'audit list',
      url: () => `${podscope.url}/audit`,
      ready: (p) => p.getByTestId('audit-table').waitFor(),
    },
    {
      name: 'audit session with its replay',
      url: () => `${podscope.url}/audit/sessions/${recordedSession}`,
      ready: (p) => p.locator('[data-testid="audit-replay"] .ap-player').waitFor(),
    },
  ];

  for (const p of pages) {
    test(p.name, async () => {
      await page.goto(p.url());
      await p.ready(page);
      const { unreached, invisible } = await tabThroughPage(page);
      assert.deepEqual(unreached, [], 'controls Tab never reaches');
      assert.deepEqual(invisible, [], 'focus stops without a visible indicator');
    });
  }
});
