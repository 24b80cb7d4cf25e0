/**
 * A long-time customer's panel: the timeline comes a page at a time (docs/api.md#the-customer-timeline),
 * and older conversations and earlier messages load when the agent asks.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import type { TwilioWorld } from '../helpers/twilio-world.js';
import { expectAccessible } from './a11y.js';
import { openConversation, phoneTexts, signIn, useDesk } from './desk.js';

const PHONE = '+14155550171';
const DAY = 24 * 3_600_000;

/** Eleven earlier conversations of the customer, a day apart, each with seven messages. */
async function history(world: TwilioWorld): Promise<void> {
  await phoneTexts(world, PHONE, 'Hello again, it is me');
  const { db } = world.server.ctx;
  const customer = await db.selectFrom('customers').select(['id', 'organizationId']).where('phone', '=', PHONE).executeTakeFirstOrThrow();
  const start = Date.now() - 30 * DAY;
  for (let c = 0; c < 11; c++) {
    const at = start + c * DAY;
    const id = newId(at);
    await db
      .insertInto('conversations')
      .values({ id, organizationId: customer.organizationId, customerId: customer.id, senderId: world.sender.id, status: 'closed', assigneeId: null, lastMessageAt: at + 6_000, lastInboundAt: at + 6_000, preview: `old ${c} message 6`, createdAt: at })
      .execute();
    for (let m = 0; m < 7; m++) {
      await db
        .insertInto('messages')
        .values({ id: newId(at + m * 1_000), organizationId: customer.organizationId, conversationId: id, direction: 'inbound', body: `old ${c} message ${m}`, status: 'received', errorCode: null, errorMessage: null, segments: 1, encoding: 'GSM-7', twilioSid: null, authorId: null, createdAt: at + m * 1_000, updatedAt: at + m * 1_000 })
        .execute();
    }
  }
}

describe('customer timeline (browser)', () => {
  const desk = useDesk({ name: 'customer-timeline', world: { setUp: history } });

  it('shows the newest conversations first and loads older ones and earlier messages on request', async () => {
    const page = await desk.openPage();
    await signIn(page, desk.world, 'agent');
    await openConversation(page, 'Hello again, it is me'); // the customer panel shows beside it on a laptop

    const items = page.getByTestId('timeline').locator('.timeline-item');
    await items.nth(9).waitFor();
    expect(await items.count()).toBe(10);
    expect(await items.nth(0).textContent()).toContain('This conversation');
    expect(await items.nth(1).textContent()).toContain('7 messages');
    await expectAccessible(page, 'a conversation with the customer panel and timeline');

    await page.getByRole('button', { name: 'Show older conversations' }).click();
    await items.nth(11).waitFor();
    expect(await items.count()).toBe(12);
    expect(await page.getByRole('button', { name: 'Show older conversations' }).count()).toBe(0);

    const oldest = items.nth(11);
    await oldest.getByText('Show messages').click();
    await oldest.getByText('old 0 message 6').waitFor();
    expect(await oldest.getByText('old 0 message 0').count()).toBe(0);
    await oldest.getByRole('button', { name: 'Show earlier messages' }).click();
    await oldest.getByText('old 0 message 0').waitFor();
    expect(await oldest.locator('.timeline-messages li').count()).toBe(7);
    expect(await oldest.getByRole('button', { name: 'Show earlier messages' }).count()).toBe(0);
    await expectAccessible(page, 'the timeline with older conversations and messages shown');
  });
});
