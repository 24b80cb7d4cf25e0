/**
 * A customer texts, an agent answers: Debian's Chromium against the real server, with the
 * Twilio simulator's phones on the other end. Browser tests exercise the web app, so they run
 * on SQLite only: the database engines are covered by the integration tests.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/api.js';
import { SUPPORT_NUMBER } from '../helpers/twilio-world.js';
import { expectAccessible } from './a11y.js';
import { composer, conversationRow, openConversation, outboundMessage, phoneTexts, sendButton, signIn, useDesk } from './desk.js';

const PHONE = '+14155550131';

describe('inbox and replies (browser)', () => {
  const desk = useDesk({ name: 'inbox-reply' });

  it('a text from a phone appears in the open inbox, unread, without a reload', async () => {
    const page = await desk.openPage();
    await signIn(page, desk.world, 'admin');
    await page.getByText('No open conversations').waitFor();
    await expectAccessible(page, 'the empty inbox');
    // A full reload would wipe this mark: it proves the row arrived over the event stream.
    await page.evaluate('window.sameDocument = true');

    await phoneTexts(desk.world, PHONE, 'Is my order on its way?');

    const row = conversationRow(page, 'Is my order on its way?');
    await row.waitFor();
    expect(await row.getAttribute('data-unread')).toBe('true');
    await expectAccessible(page, 'the inbox with an unread conversation');
    expect(await row.textContent()).toContain('+1 415 555 0131');
    expect(await page.evaluate('window.sameDocument')).toBe(true);
  });

  it('a reply moves on to delivered as Twilio reports it, without a reload', async () => {
    await phoneTexts(desk.world, PHONE, 'Can I change my delivery address?');
    const page = await desk.openPage();
    await signIn(page, desk.world, 'agent');
    await openConversation(page, 'Can I change my delivery address?');

    await composer(page).fill('Yes: reply with the new address and we will update it.');
    await sendButton(page).click();

    const reply = outboundMessage(page, 'Yes: reply with the new address');
    await reply.and(page.locator('[data-status="delivered"]')).waitFor();
    expect(await reply.getByTestId('delivery-mark').getAttribute('data-status')).toBe('delivered');
    expect(await reply.getByTestId('delivery-mark').textContent()).toContain('Delivered');
    expect(await composer(page).inputValue()).toBe('');
    await expectAccessible(page, 'a conversation with a delivered reply');
  });

  it('the reply arrives on the customer’s phone, from the support number', async () => {
    await phoneTexts(desk.world, PHONE, 'Do you open on Sundays?');
    const page = await desk.openPage();
    await signIn(page, desk.world, 'admin');
    await openConversation(page, 'Do you open on Sundays?');

    await composer(page).fill('We do, from 10 am to 4 pm.');
    await composer(page).press('Enter'); // Enter sends
    await outboundMessage(page, 'We do, from 10 am to 4 pm.').waitFor();

    const received = await eventually(() => desk.world.sim.phoneInbox(PHONE).find((m) => m.body === 'We do, from 10 am to 4 pm.'), { what: 'the reply on the phone' });
    expect(received.from).toBe(SUPPORT_NUMBER);
    expect(desk.world.sim.phoneInbox(PHONE).map((m) => m.body)).toEqual(['We do, from 10 am to 4 pm.']); // sent once
  });

  it('on a 375-pixel phone screen an agent opens a conversation from the list, replies, and goes back', async () => {
    await phoneTexts(desk.world, PHONE, 'Are you there?');
    const page = await desk.openPage({ viewport: { width: 375, height: 740 } });
    await signIn(page, desk.world, 'agent');
    const list = page.getByRole('region', { name: 'Conversations' });
    await openConversation(page, 'Are you there?');
    expect(await list.isVisible()).toBe(false); // one pane at a time
    await expectAccessible(page, 'a conversation on a phone screen');

    await composer(page).fill('Yes! How can we help?');
    await sendButton(page).click();
    await outboundMessage(page, 'Yes! How can we help?').and(page.locator('[data-status="delivered"]')).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true); // nothing scrolls sideways

    await page.getByRole('link', { name: 'Inbox', exact: false }).filter({ hasText: '‹' }).click();
    await list.waitFor();
    expect(await composer(page).count()).toBe(0);
    await expectAccessible(page, 'the inbox on a phone screen');
  });

  it('a reply the carrier refuses shows failed with Twilio’s reason, and a retry sends it again', async () => {
    desk.world.sim.setFaults({ failedNumbers: [PHONE] });
    await phoneTexts(desk.world, PHONE, 'Hello?');
    const page = await desk.openPage();
    await signIn(page, desk.world, 'agent');
    await openConversation(page, 'Hello?');

    await composer(page).fill('Hi! How can we help?');
    await sendButton(page).click();

    const reply = outboundMessage(page, 'Hi! How can we help?');
    await reply.and(page.locator('[data-status="failed"]')).waitFor();
    expect(await reply.getByRole('note').textContent()).toContain('30006');
    expect(await reply.getByTestId('delivery-mark').getAttribute('title')).toMatch(/^Failed: .*30006/);
    await expectAccessible(page, 'a conversation with a failed reply');

    // The carrier still refuses: the retry goes out as a second attempt and fails again.
    await reply.getByRole('button', { name: 'Retry' }).click();
    await eventually(() => desk.world.sim.messages().filter((m) => m.direction === 'outbound-api').length === 2, { what: 'the second attempt at Twilio' });
    await reply.and(page.locator('[data-status="failed"]')).getByRole('button', { name: 'Retry' }).waitFor();
    expect(await outboundMessage(page, 'Hi! How can we help?').count()).toBe(1);
  });
});
