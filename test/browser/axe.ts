/**
 * axe-core (Deque's accessibility engine) run inside a page: its source is injected as a script
 * and `axe.run` checks the whole document against WCAG rules. The browser tests assert that no
 * screen has a violation of impact "serious" or "critical" (issue 7).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** One rule a page breaks, as axe-core reports it, with the elements (CSS selectors) that break it. */
export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly helpUrl: string;
  readonly targets: readonly string[];
}

let source: Promise<string> | undefined;

/** axe-core's minified build, read once from node_modules. */
function axeSource(): Promise<string> {
  source ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return source;
}

/**
 * The serious and critical violations on the page as it is now. axe-core is injected the first
 * time (again after a navigation, which drops it).
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through DevTools, which the page's Content-Security-Policy does not restrict (an
  // inline <script> it would refuse), so that the page is checked under its own policy.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate((source) => (0, eval)(source), await axeSource());
  return page.evaluate(async () => {
    interface AxeNode { target: unknown[] }
    interface AxeResult { id: string; impact?: string | null; help: string; helpUrl: string; nodes: AxeNode[] }
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeResult[] }> } }).axe;
    const { violations } = await axe.run(document, { resultTypes: ['violations'] });
    return violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({
        id: violation.id,
        impact: violation.impact ?? null,
        help: violation.help,
        helpUrl: violation.helpUrl,
        targets: violation.nodes.map((node) => node.target.map(String).join(' ')),
      }));
  });
}

/** The violations, one per line with the elements under it, for a failure message. */
export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations
    .map((v) => `${v.id} (${v.impact ?? 'unknown'}): ${v.help}\n${v.targets.map((target) => `    ${target}`).join('\n')}`)
    .join('\n');
}
