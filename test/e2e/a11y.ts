import axe from 'axe-core';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** WCAG 2.1 A and AA, and axe's best practices. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

interface Violation {
  rule: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core on the page as it is now and expects no violation. `screen` names what is shown
 * (it goes in the failure message). The app's Content-Security-Policy refuses injected script
 * tags, so axe is evaluated through the DevTools protocol, which the policy does not govern.
 */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axe.source);
  const violations = await page.evaluate(async (tags) => {
    // Without a context, axe checks the whole document.
    const run = (globalThis as unknown as { axe: typeof axe }).axe.run;
    const result = await run({ runOnly: { type: 'tag', values: tags } });
    return result.violations.map(
      (v): Violation => ({
        rule: v.id,
        impact: v.impact ?? null,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
      }),
    );
  }, TAGS);
  const report = violations.map((v) => `${v.rule} (${v.impact}): ${v.help}\n  ${v.nodes.join('\n  ')}`).join('\n');
  if (report) expect.fail(`axe found violations on ${screen}:\n${report}`);
}
