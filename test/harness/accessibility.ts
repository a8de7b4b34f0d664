// axe-core (Deque's rules for WCAG 2.x A and AA) run inside the page Chromium shows. Injected with
// page.evaluate, which DevTools runs outside the page's Content-Security-Policy, so the check sees
// the very page a shopper gets (nonce'd scripts, no inline code) with nothing loosened for it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The WCAG A and AA rules (2.0, 2.1 and 2.2) plus axe's best practices, which are what "0 violations" was measured with. */
const RUN_OPTIONS = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, resultTypes: ['violations'] };

export interface AxeViolation {
  rule: string;
  impact: string | null;
  help: string;
  /** Up to three offending elements, by selector. */
  targets: string[];
}

/** Every axe violation of the page as it is now; [] when it passes. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Strings, not functions: tsx would wrap a named function in __name(), which the page lacks.
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axeSource);
  const found = (await page.evaluate(`axe.run(document, ${JSON.stringify(RUN_OPTIONS)}).then((result) => result.violations.map((v) => ({
    rule: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((node) => node.target.join(' ')),
  })))`)) as AxeViolation[];
  return found;
}

/** One line per violation, for an assertion message a person can act on. */
export const describeViolations = (violations: AxeViolation[]) => violations.map((v) => `${v.rule} (${v.impact}): ${v.help} — ${v.targets.join(', ')}`).join('\n');
