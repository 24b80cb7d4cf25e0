/**
 * Labels in the browser: an admin creates one in settings, labels a conversation from its
 * header, and filters the inbox by it.
 */
import { describe, expect, it } from 'vitest';
import { expectAccessible } from './a11y.js';
import { conversationRow, openConversation, phoneTexts, signIn, useDesk } from './desk.js';

describe('labels (browser)', () => {
  const desk = useDesk({ name: 'labels' });

  it('creates a label, puts it on a conversation from the header, and filters the inbox by it', async () => {
    await phoneTexts(desk.world, '+14155550161', 'Refund for order 1001 please');
    await phoneTexts(desk.world, '+14155550162', 'What are your opening hours?');
    const page = await desk.openPage();
    await signIn(page, desk.world, 'admin');

    await page.goto(`${desk.world.publicUrl}/#/settings/labels`);
    const settings = page.getByTestId('labels-settings');
    await settings.getByLabel('Name', { exact: true }).fill('Refunds');
    await settings.getByRole('button', { name: 'Add label' }).click();
    await settings.getByTestId('label-chip').filter({ hasText: 'Refunds' }).waitFor();
    await expectAccessible(page, 'the labels settings');

    await page.getByRole('link', { name: 'Inbox' }).click();
    await openConversation(page, 'Refund for order 1001');
    await page.locator('.label-picker summary').click();
    // The box shows what the server holds, so it turns checked only once the label is saved:
    // click, then wait for the label to reach the inbox row (check() wants the state at once).
    await page.getByRole('checkbox', { name: 'Refunds' }).click();
    await conversationRow(page, 'Refund for order 1001').getByTestId('label-chip').filter({ hasText: 'Refunds' }).waitFor();
    await expectAccessible(page, 'a conversation with its label menu open');
    await page.keyboard.press('Escape');

    await page.getByLabel('Label', { exact: true }).selectOption({ label: 'Refunds' });
    await conversationRow(page, 'What are your opening hours?').waitFor({ state: 'detached' });
    // The filtered list is refetched: wait for the labelled row, then for the list to settle at one.
    await conversationRow(page, 'Refund for order 1001').waitFor();
    await expect.poll(() => page.getByTestId('conversation-item').count()).toBe(1);
    expect(await conversationRow(page, 'Refund for order 1001').count()).toBe(1);
    await expectAccessible(page, 'the inbox filtered by a label');
    await page.getByLabel('Label', { exact: true }).selectOption({ label: 'Any label' });
    await conversationRow(page, 'What are your opening hours?').waitFor();
  });
});
