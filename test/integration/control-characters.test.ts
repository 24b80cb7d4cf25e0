import twilio from 'twilio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/api.js';
import { inboundParams, messageSid, postWebhook } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { PASSWORD } from '../helpers/world.js';
import { CUSTOMER_PHONE, createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';

/*
 * One rule on both engines (PostgreSQL text cannot hold NUL): text people write refuses C0
 * controls but tab, LF and CR (and DEL) with a 422 naming the field; search queries drop them;
 * a customer's inbound text has them removed. Never a 500.
 */
for (const engine of ENGINES) {
  describe(`control characters in text input (${engine})`, () => {
    let w: TwilioWorld;
    let conversationId: string;
    let customerId: string;
    beforeEach(async () => {
      w = await createTwilioWorld(engine, { env: { ALLOW_SIGNUP: 'true' } });
      await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: w.sender.phoneNumber, body: 'hello' });
      const conversation = await eventually(async () => (await w.agent.api.get('/api/conversations')).body.items[0], { what: 'the conversation' });
      conversationId = conversation.id;
      customerId = conversation.customer.id;
      expect((await w.agent.api.patch(`/api/customers/${customerId}`, { name: 'Alan Turing' })).status).toBe(200);
    });
    afterEach(() => w.destroy());

    const refused = (res: { status: number; body: any }, field: string) => {
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'validation_failed', field, message: expect.stringMatching(/control characters/) });
    };

    it('search queries drop them: a query with a NUL finds what it finds without', async () => {
      for (const q of ['Tur\u0000ing', '\u0000', 'Alan\u001b', '\u0007555']) {
        const inbox = await w.agent.api.get(`/api/conversations?q=${encodeURIComponent(q)}`);
        expect(inbox.status, q).toBe(200);
        expect(inbox.body.items.map((c: any) => c.id), q).toEqual([conversationId]);
        const customers = await w.agent.api.get(`/api/customers?q=${encodeURIComponent(q)}`);
        expect(customers.status, q).toBe(200);
        expect(customers.body.items.map((c: any) => c.id), q).toEqual([customerId]);
      }
    });

    it('a message body is refused with one, naming the field; tab and line breaks are kept', async () => {
      refused(await w.agent.api.post(`/api/conversations/${conversationId}/messages`, { body: 'hi\u0000there' }), 'body');
      refused(await w.agent.api.post(`/api/conversations/${conversationId}/messages`, { body: '\u001b[31mred' }), 'body');
      refused(await w.agent.api.post(`/api/conversations/${conversationId}/messages`, { body: 'bell\u0007\u007f' }), 'body');
      refused(await w.agent.api.post('/api/conversations', { senderId: w.sender.id, phone: CUSTOMER_PHONE, body: 'x\u0000' }), 'body');
      refused(await w.agent.api.post('/api/sms/segments', { body: 'x\u0000' }), 'body');
      const sent = await w.agent.api.post(`/api/conversations/${conversationId}/messages`, { body: 'line one\n\tline two\r\n' });
      expect(sent.status).toBe(202);
      expect(sent.body.body).toBe('line one\n\tline two\r\n');
    });

    it('names, notes and emails are refused with one, naming the field', async () => {
      refused(await w.agent.api.patch(`/api/customers/${customerId}`, { name: 'Al\u0000an' }), 'name');
      refused(await w.agent.api.patch(`/api/customers/${customerId}`, { notes: 'called\u0000' }), 'notes');
      refused(await w.agent.api.patch(`/api/customers/${customerId}`, { email: 'alan\u0000@example.test' }), 'email');
      refused(await w.admin.api.post('/api/users', { email: 'new@acme.test', name: 'N\u0000', role: 'agent', password: PASSWORD }), 'name');
      refused(await w.admin.api.post('/api/users', { email: 'n\u0000ew@acme.test', name: 'New', role: 'agent', password: PASSWORD }), 'email');
      refused(await w.admin.api.patch(`/api/users/${w.agent.id}`, { name: 'A\u0000' }), 'name');
      refused(await w.anonymous.post('/api/signup', { orgName: 'Other\u0000', name: 'Olga', email: 'olga@other.test', password: PASSWORD }), 'orgName');
      refused(await w.anonymous.post('/api/login', { email: 'ada\u0000@acme.test', password: PASSWORD }), 'email');
      const notes = await w.agent.api.patch(`/api/customers/${customerId}`, { notes: 'prefers\ttexts\nafter 5pm' });
      expect(notes.status).toBe(200);
      expect(notes.body.notes).toBe('prefers\ttexts\nafter 5pm');
    });

    it('ids, cursors and Twilio settings are refused with one, naming the field', async () => {
      refused(await w.agent.api.get('/api/conversations/c%00'), 'id');
      refused(await w.agent.api.get('/api/customers/%00'), 'id');
      refused(await w.agent.api.post(`/api/conversations/${conversationId}/messages`, { body: 'hi', mediaIds: ['m\u0000'] }), 'mediaIds.0');
      refused(await w.agent.api.get('/api/conversations?cursor=%00'), 'cursor');
      refused(await w.agent.api.get('/api/conversations?assignee=%00'), 'assignee');
      refused(await w.admin.api.post('/api/integrations/twilio/senders', { type: 'messaging_service', messagingServiceSid: 'MG\u0000' }), 'messagingServiceSid');
      refused(await w.admin.api.post('/api/integrations/twilio/senders', { type: 'phone_number', phoneNumber: '+1415\u0000' }), 'phoneNumber');
    });

    it("an inbound SMS keeps its text without them, and a control character anywhere in a webhook is never a 500", async () => {
      const res = await postWebhook(w, inboundParams(w, { Body: 'hi\u0000 there\u0007', MessageSid: `${messageSid()}\u0000` }));
      expect(res.status).toBe(200);
      const bodies = async () => (await w.agent.api.get(`/api/conversations/${conversationId}/messages`)).body.items.map((m: any) => m.body);
      expect(await bodies()).toContain('hi there');

      // A forged AccountSid cannot name an account.
      expect((await postWebhook(w, inboundParams(w, { AccountSid: `${w.account.sid}\u0000` }))).status).toBe(403);

      const url = `${w.publicUrl}/webhooks/twilio/status?attempt=a%00`;
      const params = { AccountSid: w.account.sid, MessageSid: `SM\u0000${'0'.repeat(32)}`, MessageStatus: 'delivered\u0000', ErrorMessage: 'x\u0000' };
      const status = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(w.account.authToken, url, params) },
        body: new URLSearchParams(params).toString(),
      });
      expect(status.status).toBe(200);
    });
  });
}
