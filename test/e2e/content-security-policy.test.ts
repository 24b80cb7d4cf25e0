/**
 * The web app under its Content-Security-Policy, in Debian's Chromium against the real server:
 * everything a session does (sign in, the inbox, a customer's picture, an attachment's preview)
 * runs without one violation. Browser tests exercise the web app, so they run on SQLite only.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { crackedMugPicture } from '../../scripts/picture.js';
import { eventually } from '../helpers/api.js';
import { PNG } from '../helpers/inbound.js';
import { expectAccessible } from './a11y.js';
import { openConversation, phoneTexts, signIn, useDesk } from './desk.js';

const PHONE = '+14155550177';

/** Every violation the page reports, from the DOM event and from Chromium's console. */
async function watchViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/content security policy/i.test(message.text())) seen.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => seen.push(`page error: ${error.message}`));
  await page.exposeFunction('reportViolation', (text: string) => seen.push(text));
  // Page-side code is a string: this project's TypeScript has no DOM types outside web/.
  await page.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(e.violatedDirective + ' blocked ' + e.blockedURI));",
  });
  return seen;
}

/**
 * Waits until the image `selector` names has loaded and has pixels, as the browser decoded it.
 * Polled from here: Playwright's in-page polling evaluates a string, which this policy forbids.
 * A blocked image never loads, so the timeout names the violations seen so far.
 */
async function loaded(page: Page, selector: string, violations: string[]): Promise<void> {
  const img = page.locator(selector);
  await img.waitFor();
  const hasPixels = () =>
    img.evaluate((el) => {
      const image = el as unknown as { complete: boolean; naturalWidth: number };
      return image.complete && image.naturalWidth > 0;
    });
  await eventually(hasPixels, { what: `${selector} to load` }).catch((error: Error) => {
    throw new Error(`${error.message}; violations seen: ${violations.join('; ') || 'none'}`);
  });
}

describe('the Content-Security-Policy (browser)', () => {
  const desk = useDesk({ name: 'csp', world: { setUp: (world) => phoneTexts(world, PHONE, 'Here is the broken mug', [{ contentType: 'image/png', data: PNG }]) } });

  it('signing in, the inbox, a customer picture and an attachment preview run without a violation', async () => {
    const page = await desk.openPage();
    const violations = await watchViolations(page);
    const response = await page.goto(desk.world.publicUrl);
    expect(await response?.headerValue('content-security-policy')).toContain("script-src 'self'");

    await signIn(page, desk.world, 'agent');
    await openConversation(page, 'Here is the broken mug');
    await loaded(page, 'img[alt="Picture from the customer"]', violations);

    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Attach pictures' }).click()]);
    await chooser.setFiles({ name: 'replacement.png', mimeType: 'image/png', buffer: crackedMugPicture() });
    await loaded(page, '[data-testid="attachment"] img[src^="blob:"]', violations);

    expect(violations).toEqual([]);
    await expectAccessible(page, 'a conversation with a customer picture and an attachment');
  });
});
