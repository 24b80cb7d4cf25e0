import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addSender, inboundParams, postWebhook, recordEvents } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { CUSTOMER_PHONE, createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';

for (const engine of ENGINES) {
  describe(`inbound opt-out keywords (${engine})`, () => {
    let w: TwilioWorld;
    beforeEach(async () => {
      w = await createTwilioWorld(engine);
    });
    afterEach(async () => {
      await w.destroy();
    });

    const customer = async () => (await w.agent.api.get(`/api/customers?phone=${encodeURIComponent(CUSTOMER_PHONE)}`)).body.items[0];
    const text = async (Body: string, extra: Record<string, string> = {}) =>
      expect((await postWebhook(w, inboundParams(w, { From: CUSTOMER_PHONE, Body, ...extra }))).status).toBe(200);

    it('opts the customer out of that sender on STOP from a phone, keeps the message, and emits customer.updated', async () => {
      await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: w.sender.phoneNumber, body: 'hello' });
      const rec = recordEvents(w);
      await rec.reset();
      const sent = await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: w.sender.phoneNumber, body: 'STOP' });
      expect(sent.webhookStatus).toBe(200);
      const c = await customer();
      expect(c).toMatchObject({ smsOptOut: true, optOuts: [{ senderId: w.sender.id, at: expect.any(String) }] });
      expect(c.smsOptOutAt).toBe(c.optOuts[0].at);
      await rec.settle();
      expect(rec.events.map((e) => e.type)).toEqual(['conversation.updated', 'message.created', 'customer.updated']);
      expect(rec.events[2]!.data).toEqual(c);
      const inbox = await w.agent.api.get('/api/conversations');
      const thread = await w.agent.api.get(`/api/conversations/${inbox.body.items[0].id}/messages`);
      expect(thread.body.items.map((m: any) => m.body)).toEqual(['hello', 'STOP']);
      rec.stop();
    });

    it('recognizes every opt-out word in any case with spaces, and START, YES, UNSTOP opt back in', async () => {
      for (const word of ['STOP', 'stopall', ' Unsubscribe ', 'CANCEL', 'end', 'Quit', 'revoke', 'OPTOUT']) {
        await text(word);
        expect((await customer()).smsOptOut, word).toBe(true);
        const back = ['START', 'yes', ' Unstop'][word.length % 3]!;
        await text(back);
        expect((await customer()).smsOptOut, back).toBe(false);
      }
    });

    it('treats HELP, INFO and sentences that contain a keyword as ordinary messages', async () => {
      for (const body of ['HELP', 'info', 'please stop', 'STOP!', 'stop it']) {
        await text(body);
        expect((await customer()).smsOptOut, body).toBe(false);
      }
    });

    it("honours Twilio's OptOutType whatever the body says", async () => {
      await text('please take me off your list', { OptOutType: 'STOP' });
      expect((await customer()).smsOptOut).toBe(true);
      await text('ok send them again', { OptOutType: 'START' });
      expect((await customer()).smsOptOut).toBe(false);
      await text('what is this', { OptOutType: 'HELP' });
      expect((await customer()).smsOptOut).toBe(false);
    });

    it('keeps opt-outs per sender', async () => {
      const other = '+14155550170';
      const otherId = await addSender(w, { address: other });
      await text('hi', { To: other });
      await text('STOP');
      expect((await customer()).optOuts.map((o: any) => o.senderId)).toEqual([w.sender.id]);
      await text('STOP', { To: other });
      expect((await customer()).optOuts.map((o: any) => o.senderId).sort()).toEqual([w.sender.id, otherId].sort());
      await text('START');
      expect(await customer()).toMatchObject({ smsOptOut: true, optOuts: [{ senderId: otherId }] });
    });

    it('emits no customer.updated when nothing changes (a second STOP)', async () => {
      await text('STOP');
      const rec = recordEvents(w);
      await rec.reset();
      await text('STOP');
      await rec.settle();
      expect(rec.events.map((e) => e.type)).toEqual(['conversation.updated', 'message.created']);
      rec.stop();
    });
  });
}
