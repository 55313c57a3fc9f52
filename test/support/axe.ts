// axe-core in the browser tests: the WCAG 2.2 AA gate every page and state is held to.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** WCAG 2.0, 2.1 and 2.2, levels A and AA: what "WCAG 2.2 AA" means in axe-core's tags. */
export const WCAG_22_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] as const;

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeNode {
  target: unknown[];
  html: string;
  failureSummary?: string;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

/**
 * Runs axe-core on the page as it is now, limited to the WCAG 2.2 A/AA rules. The script is evaluated
 * through the DevTools protocol, so the page's Content-Security-Policy (which allows no inline script)
 * neither blocks it nor reports it.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(axeSource);
  return page.evaluate(
    async (tags) => {
      const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<unknown> } }).axe;
      const results = (await axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      })) as { violations: AxeViolation[] };
      return results.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
      }));
    },
    WCAG_22_AA_TAGS as unknown as string[],
  );
}

/** One paragraph per violation: the rule, each element (selector and markup) and axe's fix hint. */
export function formatViolations(violations: readonly AxeViolation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 8)
        .map((n) => {
          const fix = (n.failureSummary ?? '').replace(/\n\s*/g, ' ');
          return `    at ${n.target.map(String).join(' ')}\n       ${n.html.slice(0, 200)}\n       ${fix}`;
        })
        .join('\n');
      const more = v.nodes.length > 8 ? `\n    … and ${v.nodes.length - 8} more elements` : '';
      return `  ${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${v.helpUrl}\n${nodes}${more}`;
    })
    .join('\n');
}

/** Fails with every violation spelled out when the page is not clean. */
export async function assertAccessible(page: Page, where: string): Promise<void> {
  const violations = await axeViolations(page);
  if (violations.length === 0) return;
  const count = violations.reduce((n, v) => n + v.nodes.length, 0);
  throw new Error(
    `${where}: ${count} WCAG 2.2 AA violation(s) found by axe-core:\n${formatViolations(violations)}`,
  );
}
