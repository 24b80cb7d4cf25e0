import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient, eventually } from '../helpers/api.js';
import { recordEvents } from '../helpers/inbound.js';
import { addSender, messageRow } from '../helpers/outbound.js';
import { ENGINES } from '../helpers/server.js';
import { createTwilioWorld, CUSTOMER_PHONE, SUPPORT_NUMBER, type TwilioWorld } from '../helpers/twilio-world.js';
import { PASSWORD } from '../helpers/world.js';

for (const engine of ENGINES) {
  describe(`unsubscribe on a customer's behalf (${engine})`, () => {
    let w: TwilioWorld;
    beforeEach(async () => {
      w = await createTwilioWorld(engine, { env: { ALLOW_SIGNUP: 'true' } });
    });
    afterEach(() => w.destroy());

    /** The customer texts the support number through Twilio (the simulator), as a phone would. */
    const phoneTexts = async (body: string) => {
      const result = await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: SUPPORT_NUMBER, body });
      expect(result.webhookStatus).toBe(200);
    };
    const customer = async () => (await w.agent.api.get(`/api/customers?phone=${encodeURIComponent(CUSTOMER_PHONE)}`)).body.items[0];
    const conversationId = async () => (await w.agent.api.get('/api/conversations')).body.items[0].id as string;

    it('opts out of one sender as a STOP would, audited with who and why, shown on the timeline', async () => {
      await phoneTexts('Please stop texting me, I asked on the phone');
      const { id } = await customer();
      const events = recordEvents(w);

      const res = await w.agent.api.post(`/api/customers/${id}/opt-out`, { senderId: w.sender.id, reason: 'asked on a call' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ smsOptOut: true, optOuts: [{ senderId: w.sender.id }], twilioOptOuts: [] });
      await eventually(() => events.ofType('customer.updated').find((e) => e.data.id === id && e.data.smsOptOut), { what: 'the customer event' });

      const refused = await w.agent.api.post(`/api/conversations/${await conversationId()}/messages`, { body: 'One more thing' });
      expect(refused.status).toBe(422);

      const timeline = (await w.agent.api.get(`/api/customers/${id}/timeline`)).body;
      expect(timeline.optOutChanges).toEqual([
        { id: expect.any(String), action: 'opt_out', senderId: w.sender.id, reason: 'asked on a call', actorId: w.agent.id, createdAt: expect.any(String) },
      ]);
      const audit = (await w.admin.api.get('/api/audit')).body.items;
      expect(audit[0]).toMatchObject({ action: 'customer.opted_out', actor: { id: w.agent.id } });
      expect(audit[0].target).toContain('asked on a call');
    });

    it('without a sender opts out of every sender, and opting in needs a reason and lifts it', async () => {
      const second = await addSender(w, { address: '+14155550177', phoneNumber: '+14155550177' });
      await phoneTexts('hello');
      const { id } = await customer();
      const out = await w.agent.api.post(`/api/customers/${id}/opt-out`, {});
      expect(new Set(out.body.optOuts.map((o: any) => o.senderId))).toEqual(new Set([w.sender.id, second]));

      const noReason = await w.agent.api.post(`/api/customers/${id}/opt-in`, {});
      expect(noReason.status).toBe(422);
      expect(noReason.body.error.message).toContain('reason');
      const blank = await w.agent.api.post(`/api/customers/${id}/opt-in`, { reason: '   ' });
      expect(blank.status).toBe(422);

      const back = await w.agent.api.post(`/api/customers/${id}/opt-in`, { senderId: second, reason: 'signed the consent form' });
      expect(back.body.optOuts.map((o: any) => o.senderId)).toEqual([w.sender.id]);
      const all = await w.admin.api.post(`/api/customers/${id}/opt-in`, { reason: 'called to say texts are fine' });
      expect(all.body).toMatchObject({ smsOptOut: false, optOuts: [], twilioOptOuts: [] });

      // Nothing blocked at Twilio: the reply reaches the phone.
      const reply = await w.agent.api.post(`/api/conversations/${await conversationId()}/messages`, { body: 'Welcome back' });
      expect(reply.status).toBe(202);
      await eventually(() => w.sim.phoneInbox(CUSTOMER_PHONE).some((m) => m.body === 'Welcome back'), { what: 'the reply on the phone' });
      const actions = (await w.agent.api.get(`/api/customers/${id}/timeline`)).body.optOutChanges.map((c: any) => [c.action, c.senderId, c.reason]);
      expect(actions).toEqual([
        ['opt_out', null, null],
        ['opt_in', second, 'signed the consent form'],
        ['opt_in', null, 'called to say texts are fine'],
      ]);
    });

    it("an opt-in after a STOP does not lift Twilio's block: the send gets 21610, the customer stays opted out, and START lifts both", async () => {
      await phoneTexts('STOP');
      const { id } = await customer();
      expect(await customer()).toMatchObject({ smsOptOut: true, twilioOptOuts: [{ senderId: w.sender.id }] });

      const optIn = await w.agent.api.post(`/api/customers/${id}/opt-in`, { senderId: w.sender.id, reason: 'says they want texts again' });
      expect(optIn.body).toMatchObject({ smsOptOut: false, optOuts: [], twilioOptOuts: [{ senderId: w.sender.id }] });

      const sent = await w.agent.api.post(`/api/conversations/${await conversationId()}/messages`, { body: 'Your order shipped' });
      expect(sent.status).toBe(202);
      const failed = await eventually(async () => {
        const row = await messageRow(w, sent.body.id);
        return row.status === 'failed' && row;
      }, { what: 'the send to fail' });
      expect(failed.errorCode).toBe(21610);
      expect(failed.errorMessage).toContain('START');
      expect(await customer()).toMatchObject({ smsOptOut: true, optOuts: [{ senderId: w.sender.id }], twilioOptOuts: [{ senderId: w.sender.id }] });
      expect(w.sim.phoneInbox(CUSTOMER_PHONE).map((m) => m.body)).not.toContain('Your order shipped');

      await phoneTexts('START');
      expect(await customer()).toMatchObject({ smsOptOut: false, optOuts: [], twilioOptOuts: [] });
    });

    it("refuses another organization's customer (404) and a sender that is not the organization's (422)", async () => {
      await phoneTexts('hi');
      const { id } = await customer();
      const other = await w.anonymous.post('/api/signup', { orgName: 'Other', name: 'Olga', email: 'olga@other.test', password: PASSWORD });
      const olga = apiClient(w.server.app, other.body.token);
      expect((await olga.post(`/api/customers/${id}/opt-out`, {})).status).toBe(404);
      expect((await olga.post(`/api/customers/${id}/opt-in`, { reason: 'x' })).status).toBe(404);
      const unknown = await w.agent.api.post(`/api/customers/${id}/opt-out`, { senderId: 'not-a-sender' });
      expect(unknown.status).toBe(422);
      expect(unknown.body.error.message).toContain('senderId');
      expect((await customer()).smsOptOut).toBe(false);
    });
  });
}
