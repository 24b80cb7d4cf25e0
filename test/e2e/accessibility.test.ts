/**
 * The screens and dialogs no other browser test opens, checked with axe-core (WCAG 2.1 A and AA,
 * best practices): every admin settings section, and the header's dialogs and menu.
 */
import { describe, it } from 'vitest';
import { expectAccessible } from './a11y.js';
import { openConversation, phoneTexts, signIn, useDesk } from './desk.js';

const SECTIONS: Array<[string, string]> = [
  ['Users', 'users-settings'],
  ['Threading', 'threading-settings'],
  ['Business hours', 'business-hours-settings'],
  ['Labels', 'labels-settings'],
  ['Canned replies', 'canned-settings'],
  ['Audit log', 'audit-log'],
];

describe('accessibility of the remaining screens (browser)', () => {
  const desk = useDesk({
    name: 'accessibility',
    world: {
      async setUp(world) {
        await phoneTexts(world, '+14155550181', 'Do you ship to Canada?');
        await world.agent.api.post('/api/canned-replies', { shortcut: 'shipping', title: 'Shipping', body: 'We ship everywhere, {{customer.firstName}}.' });
      },
    },
  });

  it('every admin settings section', async () => {
    const page = await desk.openPage();
    await signIn(page, desk.world, 'admin');
    const sections = page.getByRole('navigation', { name: 'Settings sections' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    for (const [name, testId] of SECTIONS) {
      await sections.getByRole('link', { name }).click();
      await page.getByTestId(testId).waitFor();
      await expectAccessible(page, `Settings → ${name}`);
    }
    // An admin may edit another user's canned reply.
    await sections.getByRole('link', { name: 'Canned replies' }).click();
    await page.getByRole('button', { name: 'Edit /shipping' }).click();
    await page.getByRole('form', { name: 'Edit /shipping' }).waitFor();
    await expectAccessible(page, 'a canned reply being edited');
  });

  it('the header menu and its dialogs, texting a customer first, and the customer panel on a phone', async () => {
    const page = await desk.openPage();
    await signIn(page, desk.world, 'agent');
    const dialog = page.getByRole('dialog');

    await page.locator('body').press('?');
    await dialog.waitFor();
    await expectAccessible(page, 'the keyboard shortcuts dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Text a customer' }).click();
    await dialog.waitFor();
    await expectAccessible(page, 'the dialog to text a customer');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    for (const item of ['Notifications', 'Change password']) {
      await page.getByRole('button', { name: /^Account menu/ }).click();
      await page.getByRole('button', { name: item }).waitFor();
      await expectAccessible(page, 'the account menu');
      await page.getByRole('button', { name: item }).click();
      await dialog.waitFor();
      await expectAccessible(page, `the ${item.toLowerCase()} dialog`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    }

    const phone = await desk.openPage({ viewport: { width: 375, height: 740 }, label: 'phone' });
    await signIn(phone, desk.world, 'agent');
    await openConversation(phone, 'Do you ship to Canada?');
    await phone.getByRole('button', { name: 'Customer details' }).click();
    await phone.getByRole('heading', { name: 'Customer' }).waitFor();
    await expectAccessible(phone, 'the customer panel on a phone');
  });
});
