import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMPTY_TWIML, addSender, countRows, inboundParams, messageSid, postWebhook, recordEvents } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { CUSTOMER_PHONE, createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';

for (const engine of ENGINES) {
  describe(`inbound SMS webhook (${engine})`, () => {
    let w: TwilioWorld;
    beforeEach(async () => {
      w = await createTwilioWorld(engine);
    });
    afterEach(async () => {
      await w.destroy();
    });

    it('turns a text from a new number into a customer, an open conversation and a received message', async () => {
      const sent = await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: w.sender.phoneNumber, body: 'My order never arrived' });
      expect(sent.webhookStatus).toBe(200);
      expect(sent.webhookBody).toBe(EMPTY_TWIML);
      const hook = w.sim.webhooks({ messageSid: sent.messageSid })[0];
      expect(hook?.status).toBe(200);

      const found = await w.agent.api.get(`/api/customers?phone=${encodeURIComponent(CUSTOMER_PHONE)}`);
      expect(found.body.items).toHaveLength(1);
      const customer = found.body.items[0];
      expect(customer).toMatchObject({ name: null, phone: CUSTOMER_PHONE, email: null, smsOptOut: false, optOuts: [] });

      const inbox = await w.agent.api.get('/api/conversations');
      expect(inbox.body.items).toHaveLength(1);
      const conversation = inbox.body.items[0];
      expect(conversation).toMatchObject({
        customer: { id: customer.id, name: null, phone: CUSTOMER_PHONE },
        senderId: w.sender.id,
        status: 'open',
        assigneeId: null,
        preview: 'My order never arrived',
        unread: true,
      });

      const thread = await w.agent.api.get(`/api/conversations/${conversation.id}/messages`);
      expect(thread.body.items).toEqual([
        expect.objectContaining({
          conversationId: conversation.id,
          direction: 'inbound',
          body: 'My order never arrived',
          media: [],
          status: 'received',
          errorCode: null,
          errorMessage: null,
          segments: 1,
          encoding: 'GSM-7',
          twilioSid: sent.messageSid,
          authorId: null,
        }),
      ]);
    });

    it('answers empty TwiML as text/xml', async () => {
      const res = await postWebhook(w, inboundParams(w));
      expect(res.status).toBe(200);
      expect(res.body).toBe(EMPTY_TWIML);
      expect(res.contentType).toBe('text/xml');
    });

    it('normalizes the sender to E.164 and threads a second text into the same conversation', async () => {
      await postWebhook(w, inboundParams(w, { From: '+1 (415) 555-0199', Body: 'one' }));
      await postWebhook(w, inboundParams(w, { From: '+14155550199', Body: 'two' }));
      expect(await countRows(w.server.ctx.db)).toMatchObject({ customers: 1, conversations: 1, messages: 2 });
      const inbox = await w.agent.api.get('/api/conversations');
      expect(inbox.body.items[0]).toMatchObject({ customer: { phone: '+14155550199' }, preview: 'two' });
    });

    it('publishes conversation.created and message.created after the commit, then conversation.updated', async () => {
      const rec = recordEvents(w);
      await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: w.sender.phoneNumber, body: 'first' });
      await rec.settle();
      expect(rec.events.map((e) => e.type)).toEqual(['conversation.created', 'message.created']);
      const [created, message] = rec.events;
      expect(created!.data).toMatchObject({ status: 'open', preview: 'first', unread: true, customer: { phone: CUSTOMER_PHONE } });
      expect(message!.data).toMatchObject({ conversationId: created!.data.id, body: 'first', direction: 'inbound' });
      // What an event carries is what the API returns.
      const read = await w.agent.api.get(`/api/conversations/${created!.data.id as string}`);
      expect(read.body).toEqual(created!.data);

      await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: w.sender.phoneNumber, body: 'second' });
      await rec.settle();
      expect(rec.events.slice(2).map((e) => e.type)).toEqual(['conversation.updated', 'message.created']);
      expect(rec.events[2]!.data).toMatchObject({ id: created!.data.id, preview: 'second' });
      rec.stop();
    });

    describe('refusals store nothing', () => {
      async function refused(params: Record<string, string>, expected: number, opts?: Parameters<typeof postWebhook>[2]) {
        const rec = recordEvents(w);
        await rec.reset();
        const before = await countRows(w.server.ctx.db);
        const res = await postWebhook(w, params, opts);
        expect(res.status).toBe(expected);
        expect(await countRows(w.server.ctx.db)).toEqual(before);
        expect(await rec.settle()).toEqual([]);
        rec.stop();
      }

      it('a forged or missing signature: 403', async () => {
        await refused(inboundParams(w), 403, { authToken: 'f'.repeat(32) });
        await refused(inboundParams(w), 403, { signature: null });
        // Signed over different parameters than were sent.
        const params = inboundParams(w);
        expect((await postWebhook(w, params)).status).toBe(200);
        await refused({ ...params, MessageSid: messageSid(), Body: 'tampered' }, 403, { signature: 'AAAA' });
      });

      it('an unknown or disconnected AccountSid: 403', async () => {
        const stranger = w.sim.createAccount();
        await refused(inboundParams(w, { AccountSid: stranger.sid }), 403, { authToken: stranger.authToken });
        await refused(inboundParams(w, { AccountSid: undefined }), 403);
        await w.server.ctx.db.updateTable('senders').set({ twilioAccountId: null }).execute();
        await w.server.ctx.db.deleteFrom('twilioAccounts').execute();
        await refused(inboundParams(w), 403);
      });

      it('a missing MessageSid, From or To: 400', async () => {
        await refused(inboundParams(w, { MessageSid: undefined }), 400);
        await refused(inboundParams(w, { From: undefined }), 400);
        await refused(inboundParams(w, { To: undefined }), 400);
        await refused(inboundParams(w, { From: '  ' }), 400);
      });

      it('a number that is not an active sender of this account: 404', async () => {
        await refused(inboundParams(w, { To: '+14155550111' }), 404);
        await addSender(w, { address: '+14155550112', active: 0, removedAt: Date.now() });
        await refused(inboundParams(w, { To: '+14155550112' }), 404);
        await addSender(w, { address: '+14155550113', twilioAccountId: null });
        await refused(inboundParams(w, { To: '+14155550113' }), 404);
      });

      it('a body over 64 KiB: 413', async () => {
        await refused(inboundParams(w, { Body: 'x'.repeat(65 * 1024) }), 413);
      });

      it('a repeated MessageSid: 200, stored once', async () => {
        const params = inboundParams(w);
        expect((await postWebhook(w, params)).status).toBe(200);
        const again = await postWebhook(w, params);
        expect(again.status).toBe(200);
        expect(again.body).toBe(EMPTY_TWIML);
        await refused(params, 200);
        expect(await countRows(w.server.ctx.db)).toMatchObject({ customers: 1, conversations: 1, messages: 1 });
      });
    });

    it('stores a MessageSid retried in parallel once, answering every try 200', async () => {
      const params = inboundParams(w);
      const results = await Promise.all(Array.from({ length: 6 }, () => postWebhook(w, params)));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(await countRows(w.server.ctx.db)).toMatchObject({ customers: 1, conversations: 1, messages: 1 });
    });

    it('refuses forged, misrouted and incomplete webhooks that arrive together with genuine ones, each alone', async () => {
      // Arriving together, they share one transaction (group commit): a refusal must cost the others nothing.
      const genuine = Array.from({ length: 4 }, (_, i) => inboundParams(w, { From: `+1415555020${i}` }));
      const results = await Promise.all([
        ...genuine.map((params) => postWebhook(w, params)),
        postWebhook(w, inboundParams(w, { From: '+14155550210' }), { authToken: 'f'.repeat(32) }),
        postWebhook(w, inboundParams(w, { From: '+14155550211', To: '+14155550111' })),
        postWebhook(w, inboundParams(w, { From: undefined })),
        postWebhook(w, genuine[0]!),
      ]);
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 403, 404, 400, 200]);
      expect(await countRows(w.server.ctx.db)).toMatchObject({ customers: 4, conversations: 4, messages: 4 });
    });

    it('gives parallel first messages from one new number one customer and one conversation', async () => {
      const from = '+14155550177';
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => postWebhook(w, inboundParams(w, { From: from, Body: `hi ${i}` }))));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(await countRows(w.server.ctx.db)).toMatchObject({ customers: 1, conversations: 1, messages: 8 });
    });

    it('routes by MessagingServiceSid first, then by To', async () => {
      const pooled = '+14155550150';
      const service = w.sim.addMessagingService(w.account.sid, { phoneNumbers: [pooled], inboundRequestUrl: `${w.publicUrl}/webhooks/twilio/messages`, useInboundWebhookOnNumber: false });
      const serviceSender = await addSender(w, { type: 'messaging_service', phoneNumber: null, messagingServiceSid: service.sid, address: service.sid, ratePerSecond: 100 });
      // The pool number is also a sender of its own: the service still wins.
      await addSender(w, { address: pooled });
      const sent = await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: pooled, body: 'via the service' });
      expect(sent.webhookStatus).toBe(200);
      const inbox = await w.agent.api.get('/api/conversations');
      expect(inbox.body.items.map((c: any) => c.senderId)).toEqual([serviceSender]);

      // A service Parley does not know falls back to the number texted.
      const res = await postWebhook(w, inboundParams(w, { MessagingServiceSid: 'MG' + '0'.repeat(32), Body: 'fallback' }));
      expect(res.status).toBe(200);
      const after = await w.agent.api.get('/api/conversations');
      expect(after.body.items.find((c: any) => c.preview === 'fallback')?.senderId).toBe(w.sender.id);
    });

    it('routes a text to a short code', async () => {
      const code = w.sim.addShortCode(w.account.sid, '24680');
      const { twilioClient } = await import('../../src/features/twilio/client.js');
      const client = twilioClient(w.server.config, w.account.sid, w.account.authToken);
      await client.api.v2010.accounts(w.account.sid).shortCodes(code.sid).update({ smsUrl: `${w.publicUrl}/webhooks/twilio/messages` });
      const senderId = await addSender(w, { type: 'short_code', phoneNumber: null, shortCode: '24680', address: '24680', ratePerSecond: 100 });
      const sent = await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: '24680', body: 'to the short code' });
      expect(sent.webhookStatus).toBe(200);
      const inbox = await w.agent.api.get('/api/conversations');
      expect(inbox.body.items[0]).toMatchObject({ senderId, preview: 'to the short code' });
    });

    it('counts segments and encoding of what the customer sent', async () => {
      await postWebhook(w, inboundParams(w, { Body: 'ça va? ' + 'x'.repeat(70) }));
      const inbox = await w.agent.api.get('/api/conversations');
      const thread = await w.agent.api.get(`/api/conversations/${inbox.body.items[0].id}/messages`);
      expect(thread.body.items[0]).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    });
  });
}
