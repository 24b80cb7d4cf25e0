/**
 * Admin settings in Debian's Chromium against the real server, with the simulator as Twilio:
 * connecting an account and adding its numbers, and agents kept out. Browser tests exercise the
 * web app, so they run on SQLite only: the database engines are covered by the integration tests.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectAccessible } from './a11y.js';
import { conversationRow, signIn, useDesk } from './desk.js';

const NEW_NUMBER = '+14155550177';
const TO_BUY = '+14155550142';
const CUSTOMER = '+14155550133';

describe('admin settings (browser)', () => {
  let account: { sid: string; authToken: string };
  const desk = useDesk({
    name: 'settings',
    // Nothing connected: the account and its number exist only at (simulated) Twilio.
    world: {
      connect: false,
      setUp(world) {
        account = world.sim.createAccount();
        world.sim.addIncomingNumber(account.sid, NEW_NUMBER);
      },
    },
  });

  async function openSettings(p: Page): Promise<void> {
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await p.getByTestId('twilio-settings').waitFor();
  }

  it('an admin connects a Twilio account and adds one of its numbers, which then receives texts', async () => {
    const page = await desk.openPage();
    await signIn(page, desk.world, 'admin');
    await expectAccessible(page, 'the inbox, no Twilio account connected');
    await openSettings(page);
    await expectAccessible(page, 'the Twilio settings, not connected');

    await page.getByLabel('Account SID').fill(account.sid);
    await page.getByLabel('Auth Token', { exact: true }).fill(account.authToken);
    await page.getByRole('button', { name: 'Connect' }).click();
    expect(await page.getByTestId('account-sid').textContent()).toBe(account.sid);
    await expectAccessible(page, 'the Twilio settings, connected');

    await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Senders' }).click();
    const number = page.getByTestId('incoming-number').filter({ hasText: '555 0177' });
    await number.getByRole('button', { name: /^Add / }).click();

    await page.getByTestId('sender').filter({ hasText: '555 0177' }).waitFor();
    await expectAccessible(page, 'the senders settings');
    expect(desk.world.sim.getIncomingNumber(NEW_NUMBER)?.smsUrl).toBe(`${desk.world.publicUrl}/webhooks/twilio/messages`);
    const sent = await desk.world.sim.phoneSend({ from: CUSTOMER, to: NEW_NUMBER, body: 'Testing the new number' });
    expect(sent.webhookStatus).toBe(200);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    await conversationRow(page, 'Testing the new number').waitFor();
  });

  it('credentials Twilio refuses are not saved, and the admin is told', async () => {
    const page = await desk.openPage();
    await signIn(page, desk.world, 'admin');
    await openSettings(page);

    await page.getByLabel('Account SID').fill(account.sid);
    await page.getByLabel('Auth Token', { exact: true }).fill('0'.repeat(32));
    await page.getByRole('button', { name: 'Connect' }).click();

    await page.getByTestId('twilio-settings').getByRole('alert').waitFor();
    expect(await page.getByTestId('account-sid').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Connect' }).isEnabled()).toBe(true);
    await expectAccessible(page, 'the Twilio settings with refused credentials');
    expect((await desk.world.admin.api.get('/api/integrations/twilio')).body.connected).toBe(false);
  });

  it('an admin searches for a number, buys it, and it becomes a sender', async () => {
    desk.world.sim.addAvailableNumber('US', TO_BUY);
    expect((await desk.world.admin.api.put('/api/integrations/twilio', { accountSid: account.sid, authToken: account.authToken })).status).toBeLessThan(300);
    const page = await desk.openPage();
    await signIn(page, desk.world, 'admin');
    await page.goto(`${desk.world.publicUrl}/#/settings/senders`);
    await page.getByTestId('senders-settings').waitFor();

    await page.getByRole('radio', { name: 'Buy a number' }).check();
    await page.getByLabel('Area code').fill('415');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('available-number').filter({ hasText: '555 0142' }).getByRole('button', { name: /^Buy / }).click();
    await page.getByRole('dialog').waitFor();
    await expectAccessible(page, 'the dialog confirming a purchase');
    await page.getByRole('dialog').getByRole('button', { name: 'Buy number' }).click();

    await page.getByTestId('sender').filter({ hasText: '555 0142' }).waitFor();
    expect(desk.world.sim.getIncomingNumber(TO_BUY)?.smsUrl).toBe(`${desk.world.publicUrl}/webhooks/twilio/messages`);
    expect(desk.world.sim.availableNumbers('US').map((n) => n.phoneNumber)).not.toContain(TO_BUY);
  });

  it('an agent has no admin settings, and the API refuses them anyway', async () => {
    const page = await desk.openPage();
    await signIn(page, desk.world, 'agent');
    const mainNav = page.getByRole('navigation', { name: 'Main' });
    await mainNav.getByRole('link', { name: 'Inbox' }).waitFor();
    expect(await mainNav.getByRole('link', { name: 'Settings' }).count()).toBe(0);
    await expectAccessible(page, "an agent's inbox");

    // Typing the settings address by hand shows the inbox instead.
    await page.goto(`${desk.world.publicUrl}/#/settings/twilio`);
    await page.getByRole('region', { name: 'Conversations' }).waitFor();
    expect(await page.getByTestId('twilio-settings').count()).toBe(0);
    const status = await page.evaluate(async () => (await fetch('/api/integrations/twilio')).status);
    expect(status).toBe(403);
  });
});
