/**
 * Message search in the browser: an agent searches a word from the header's Search page, sees it
 * marked in the result, and opens the conversation at that message, though it is older than the
 * thread's first page.
 */
import { describe, expect, it } from 'vitest';
import { expectAccessible } from './a11y.js';
import { phoneTexts, signIn, useDesk } from './desk.js';

const PHONE = '+14155550161';
/** More than the thread's first page (50), so the message sought is on an older page. */
const LATER_TEXTS = 60;

describe('message search (browser)', () => {
  const desk = useDesk({ name: 'search' });

  it('finds a word from the header, marks it, and opens the conversation scrolled to that message', async () => {
    await phoneTexts(desk.world, PHONE, 'Is my kettle still under WARRANTY? <b>not bold</b>');
    for (let i = 0; i < LATER_TEXTS; i++) await phoneTexts(desk.world, PHONE, `Follow-up number ${i}`);
    const page = await desk.openPage();
    await signIn(page, desk.world, 'agent');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search' }).click();
    const box = page.getByLabel('Words in messages and notes');
    await box.fill('warrant');
    await box.press('Enter');
    const result = page.getByTestId('search-result');
    await result.first().waitFor();
    expect(await result.count()).toBe(1);
    expect(await result.locator('mark').allTextContents()).toEqual(['WARRANTY']);
    // The message's text is shown as text, never read as markup.
    expect(await result.locator('b').count()).toBe(0);
    expect(await result.textContent()).toContain('<b>not bold</b>');
    expect(page.url()).toContain('#/search/warrant');
    await expectAccessible(page, 'search results');

    await result.getByRole('link').click();
    const focused = page.locator('[data-testid="message"][data-focused]');
    await focused.waitFor();
    expect(await focused.textContent()).toContain('Is my kettle still under WARRANTY?');
    expect(await focused.isVisible()).toBe(true);
    const inView = await focused.evaluate((el) => {
      const box = el.getBoundingClientRect();
      const thread = el.closest('.thread')!.getBoundingClientRect();
      return box.top >= thread.top && box.bottom <= thread.bottom;
    });
    expect(inView).toBe(true);
    // Older pages were read to reach it: the thread holds it and everything after.
    expect(await page.getByTestId('message').count()).toBeGreaterThanOrEqual(LATER_TEXTS + 1);

    // Back returns to the results.
    await page.goBack();
    await page.getByTestId('search-result').first().waitFor();
    expect(await page.getByLabel('Words in messages and notes').inputValue()).toBe('warrant');
  });
});
