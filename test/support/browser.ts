// Headless Debian Chromium driven by playwright-core (no downloaded browsers on these machines).
// playwright gives each launch a fresh temporary profile.
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunningPodscope } from './podscope.js';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.PODSCOPE_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

const violations = new WeakMap<Page, string[]>();

/**
 * A new page (fresh profile: no cookie yet) that has opened Podscope the way a user does: the URL with
 * `?token=` that podscope prints, which the server trades for its cookie and redirects to the same page
 * without the token. Every Content-Security-Policy violation on the page (the DOM's
 * `securitypolicyviolation` event, reported through a binding: the browser does not log them as console
 * messages) is collected for `cspViolations`.
 */
export async function openPodscopePage(
  browser: Browser,
  podscope: RunningPodscope,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const page = await browser.newPage(options);
  const seen: string[] = [];
  violations.set(page, seen);
  await page.exposeBinding('__podscopeCspViolation', (_source, report: string) => void seen.push(report));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __podscopeCspViolation(r: string): void })
        .__podscopeCspViolation;
      report(
        `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`,
      );
    });
  });
  const response = await page.goto(podscope.loginUrl('/clusters'));
  if (response?.status() !== 200 || page.url() !== `${podscope.url}/clusters`) {
    throw new Error(
      `opening ${podscope.url}/clusters?token=… ended at ${page.url()} (${response?.status()})`,
    );
  }
  return page;
}

/** What the page reported as blocked by the Content-Security-Policy so far. */
export function cspViolations(page: Page): string[] {
  return [...(violations.get(page) ?? [])];
}

/** openPodscopePage at a desktop size (1280×900), with 30 s for each Playwright wait. */
export async function openDesktopPage(browser: Browser, podscope: RunningPodscope): Promise<Page> {
  const page = await openPodscopePage(browser, podscope, { viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(30_000);
  return page;
}

/** The text xterm.js shows in the page's terminal, one line per row (DOM renderer). */
export function terminalScreenText(page: Page): Promise<string> {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-testid="terminal-screen"] .xterm-rows > div')]
      .map((row) => row.textContent ?? '')
      .join('\n'),
  );
}

/** Waits up to 30 s for the terminal to show `pattern`; returns the screen's text then. */
export async function waitForTerminalScreen(page: Page, pattern: RegExp, what: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const text = await terminalScreenText(page);
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`terminal screen never showed ${what}; it shows:\n${text}`);
    await page.waitForTimeout(100);
  }
}
