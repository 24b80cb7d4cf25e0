import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/server.js';
import { connectViaApi } from '../helpers/twilio-integration.js';
import { createTwilioWorld, CUSTOMER_PHONE, SUPPORT_NUMBER, type TwilioWorld } from '../helpers/twilio-world.js';

const INTEGRATION = '/api/integrations/twilio';
const SENDERS = `${INTEGRATION}/senders`;
const DEMO_URL = 'https://demo.twilio.com/welcome/sms/reply';
const OTHER_APP = 'https://helpdesk.example.com/sms';
const POOL_NUMBER = '+14155550131';

/** Set-ups of production Twilio accounts: where inbound texts really go, and what Parley puts back. */
for (const engine of ENGINES) {
  describe(`real Twilio account set-ups (${engine})`, () => {
    let world: TwilioWorld | undefined;
    afterEach(async () => {
      await world?.destroy();
      world = undefined;
    });

    async function connectedWorld() {
      const w = (world = await createTwilioWorld(engine, { connect: false }));
      await connectViaApi(w);
      return w;
    }
    const ours = () => `${world!.publicUrl}/webhooks/twilio/messages`;
    const sendersShown = async () => (await world!.admin.api.get(INTEGRATION)).body.senders;
    /** A customer texts `to`; true when Parley stored it. */
    async function textReachesParley(to: string, body: string) {
      const sent = await world!.sim.phoneSend({ from: CUSTOMER_PHONE, to, body });
      if (sent.webhookStatus !== 200) return false;
      const list = await world!.admin.api.get('/api/conversations');
      return list.body.items.some((c: { preview: string }) => c.preview === body);
    }

    it('with the real Twilio, refuses a PUBLIC_URL Twilio cannot call (422 public_url_required) before calling Twilio', async () => {
      // TWILIO_API_URL empty means unset: the real Twilio, which the test network guard would catch if called.
      const w = (world = await createTwilioWorld(engine, { env: { TWILIO_API_URL: '', TWILIO_MESSAGING_API_URL: '', PUBLIC_URL: 'http://localhost:3000' } }));
      const view = await w.admin.api.get(INTEGRATION);
      expect(view.body.publicUrl).toBe('http://localhost:3000');
      const connect = await w.admin.api.put(INTEGRATION, { accountSid: w.account.sid, authToken: w.account.authToken });
      expect(connect.status).toBe(422);
      expect(connect.body.error.code).toBe('public_url_required');
      expect(connect.body.error.message).toContain('PUBLIC_URL http://localhost:3000');
      expect(connect.body.error.message).toContain('https://');
      for (const body of [
        { type: 'phone_number', phoneNumber: '+14155550123' },
        { type: 'phone_number', phoneNumber: '+14155550123', replaceWebhook: true },
        { type: 'phone_number', phoneNumber: '+14155550123', purchase: true },
      ]) {
        const add = await w.admin.api.post(SENDERS, body);
        expect(add.status).toBe(422);
        expect(add.body.error.code).toBe('public_url_required');
      }
      expect((await w.admin.api.get(INTEGRATION)).body.senders).toHaveLength(1);
    });

    it('accepts any PUBLIC_URL with the simulator, and shows it', async () => {
      const w = await connectedWorld();
      expect(w.publicUrl.startsWith('http://127.0.0.1:')).toBe(true);
      expect((await w.admin.api.get(INTEGRATION)).body.publicUrl).toBe(w.publicUrl);
    });

    it('refuses a number in a service that does not defer (409 naming the service), changing nothing; accepts it once the service defers', async () => {
      const w = await connectedWorld();
      w.sim.addIncomingNumber(w.account.sid, POOL_NUMBER);
      const service = w.sim.addMessagingService(w.account.sid, { phoneNumbers: [POOL_NUMBER], inboundRequestUrl: OTHER_APP });
      const numberBefore = w.sim.getIncomingNumber(POOL_NUMBER)!;
      const serviceBefore = w.sim.getMessagingService(service.sid)!;

      const listed = (await w.admin.api.get(`${INTEGRATION}/incoming-numbers`)).body.items;
      const byNumber = Object.fromEntries(listed.map((n: { phoneNumber: string }) => [n.phoneNumber, n]));
      expect(byNumber[POOL_NUMBER].messagingServiceSid).toBe(service.sid);
      expect(byNumber[SUPPORT_NUMBER].messagingServiceSid).toBeNull();

      for (const replaceWebhook of [false, true]) {
        const refused = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: POOL_NUMBER, replaceWebhook });
        expect(refused.status).toBe(409);
        expect(refused.body.error.code).toBe('number_in_messaging_service');
        expect(refused.body.error.message).toContain(service.sid);
        expect(refused.body.error.message).toContain('add the Messaging Service');
      }
      expect(w.sim.getIncomingNumber(POOL_NUMBER)).toEqual(numberBefore);
      expect(w.sim.getMessagingService(service.sid)).toEqual(serviceBefore);
      expect(await sendersShown()).toEqual([]);

      w.sim.updateMessagingService(service.sid, { useInboundWebhookOnNumber: true });
      const accepted = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: POOL_NUMBER });
      expect(accepted.status).toBe(201);
      expect(w.sim.getIncomingNumber(POOL_NUMBER)!.smsUrl).toBe(ours());
      expect(await textReachesParley(POOL_NUMBER, 'via the deferring service')).toBe(true);
    });

    it('finds a pooled number past the first page of services and of pool numbers', async () => {
      const w = await connectedWorld();
      // Twilio pages lists by 50: the holder is the 51st service, the number its pool's 51st.
      for (let i = 0; i < 50; i++) w.sim.addMessagingService(w.account.sid);
      const pool = Array.from({ length: 51 }, (_, i) => `+1415555${String(1000 + i).padStart(4, '0')}`);
      const holder = w.sim.addMessagingService(w.account.sid, { phoneNumbers: pool });
      const refused = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: pool[50] });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('number_in_messaging_service');
      expect(refused.body.error.message).toContain(holder.sid);
    });

    it('adding a service that defers asks first (409 webhook_in_use); replacing routes its pool numbers’ texts to Parley', async () => {
      const w = await connectedWorld();
      w.sim.addIncomingNumber(w.account.sid, POOL_NUMBER);
      const service = w.sim.addMessagingService(w.account.sid, { phoneNumbers: [POOL_NUMBER], useInboundWebhookOnNumber: true });
      const refused = await w.admin.api.post(SENDERS, { type: 'messaging_service', messagingServiceSid: service.sid });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('webhook_in_use');
      expect(refused.body.error.message).toContain('Use inbound webhook on number');
      expect(w.sim.getMessagingService(service.sid)!.useInboundWebhookOnNumber).toBe(true);

      const added = await w.admin.api.post(SENDERS, { type: 'messaging_service', messagingServiceSid: service.sid, replaceWebhook: true });
      expect(added.status).toBe(201);
      expect(w.sim.getMessagingService(service.sid)).toMatchObject({ inboundRequestUrl: ours(), inboundMethod: 'POST', useInboundWebhookOnNumber: false });
      expect(await textReachesParley(POOL_NUMBER, 'to the pool')).toBe(true);
      const conversation = (await w.admin.api.get('/api/conversations')).body.items[0];
      expect(conversation.senderId).toBe(added.body.id);

      const foreign = w.sim.addMessagingService(w.account.sid, { inboundRequestUrl: OTHER_APP });
      const other = await w.admin.api.post(SENDERS, { type: 'messaging_service', messagingServiceSid: foreign.sid });
      expect(other.status).toBe(409);
      expect(other.body.error.code).toBe('webhook_in_use');
      expect(other.body.error.message).toContain(OTHER_APP);
    });

    it('treats a number with an SMS application as another app’s; replacing clears the application so texts reach Parley, removing puts it back', async () => {
      const w = await connectedWorld();
      const app = w.sim.addApplication(w.account.sid, { smsUrl: OTHER_APP });
      // Its own SmsUrl even looks like Parley's: the application wins all the same.
      w.sim.addIncomingNumber(w.account.sid, '+14155550132', { smsUrl: ours(), smsMethod: 'GET', smsApplicationSid: app.sid });
      const before = w.sim.getIncomingNumber('+14155550132')!;
      const refused = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: '+14155550132' });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('webhook_in_use');
      expect(refused.body.error.message).toContain(app.sid);
      expect(w.sim.getIncomingNumber('+14155550132')).toEqual(before);
      const listed = (await w.admin.api.get(`${INTEGRATION}/incoming-numbers`)).body.items;
      expect(listed.find((n: { phoneNumber: string }) => n.phoneNumber === '+14155550132').webhook).toBe('other');

      const added = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: '+14155550132', replaceWebhook: true });
      expect(added.status).toBe(201);
      expect(w.sim.getIncomingNumber('+14155550132')).toMatchObject({ smsUrl: ours(), smsMethod: 'POST', smsApplicationSid: '' });
      expect(await textReachesParley('+14155550132', 'past the app')).toBe(true);

      const removed = await w.admin.api.delete(`${SENDERS}/${added.body.id}`);
      expect(removed.body.twilioCleared).toBe(true);
      expect(w.sim.getIncomingNumber('+14155550132')).toMatchObject({ smsUrl: ours(), smsMethod: 'GET', smsApplicationSid: app.sid });
    });

    it('removing senders and disconnecting put back exactly what Parley replaced', async () => {
      const w = await connectedWorld();
      w.sim.addIncomingNumber(w.account.sid, '+14155550133', { smsUrl: OTHER_APP, smsMethod: 'GET' });
      w.sim.addIncomingNumber(w.account.sid, '+14155550134');
      const app = w.sim.addApplication(w.account.sid, { smsUrl: OTHER_APP });
      w.sim.addIncomingNumber(w.account.sid, '+14155550135', { smsUrl: 'https://old.example.com/sms', smsMethod: 'GET', smsApplicationSid: app.sid });
      w.sim.addIncomingNumber(w.account.sid, POOL_NUMBER);
      const deferring = w.sim.addMessagingService(w.account.sid, { phoneNumbers: [POOL_NUMBER], useInboundWebhookOnNumber: true, inboundRequestUrl: OTHER_APP, inboundMethod: 'GET' });
      const silent = w.sim.addMessagingService(w.account.sid);
      w.sim.addShortCode(w.account.sid, '72360');
      const add = async (body: object) => {
        const res = await w.admin.api.post(SENDERS, { ...body, replaceWebhook: true });
        expect(res.status).toBe(201);
        return res.body.id as string;
      };
      const foreignNumber = await add({ type: 'phone_number', phoneNumber: '+14155550133' });
      await add({ type: 'phone_number', phoneNumber: '+14155550134' });
      await add({ type: 'phone_number', phoneNumber: '+14155550135' });
      await add({ type: 'messaging_service', messagingServiceSid: deferring.sid });
      await add({ type: 'messaging_service', messagingServiceSid: silent.sid });
      await add({ type: 'short_code', shortCode: '72360' });
      expect(w.sim.getIncomingNumber('+14155550133')).toMatchObject({ smsUrl: ours(), smsMethod: 'POST' });

      expect((await w.admin.api.delete(`${SENDERS}/${foreignNumber}`)).body.twilioCleared).toBe(true);
      expect(w.sim.getIncomingNumber('+14155550133')).toMatchObject({ smsUrl: OTHER_APP, smsMethod: 'GET', smsApplicationSid: '' });

      const disconnected = await w.admin.api.delete(INTEGRATION);
      expect(disconnected.body).toMatchObject({ twilioCleared: true, message: expect.stringContaining('had before Parley') });
      expect(w.sim.getIncomingNumber('+14155550134')).toMatchObject({ smsUrl: DEMO_URL, smsMethod: 'POST' });
      expect(w.sim.getIncomingNumber('+14155550135')).toMatchObject({ smsUrl: 'https://old.example.com/sms', smsMethod: 'GET', smsApplicationSid: app.sid });
      expect(w.sim.getMessagingService(deferring.sid)).toMatchObject({ inboundRequestUrl: OTHER_APP, inboundMethod: 'GET', useInboundWebhookOnNumber: true });
      expect(w.sim.getMessagingService(silent.sid)).toMatchObject({ inboundRequestUrl: '', useInboundWebhookOnNumber: false });
      expect(w.sim.getShortCode('72360')).toMatchObject({ smsUrl: DEMO_URL, smsMethod: 'POST' });
    });

    it('warns that a bought US or Canadian long code needs A2P 10DLC registration', async () => {
      const w = await connectedWorld();
      w.sim.addAvailableNumber('US', '+14155550150');
      w.sim.addAvailableNumber('CA', '+16135550151');
      w.sim.addAvailableNumber('GB', '+447400123456');
      for (const phoneNumber of ['+14155550150', '+16135550151']) {
        const bought = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber, purchase: true });
        expect(bought.status).toBe(201);
        expect(bought.body.warnings).toEqual(['a2p_10dlc_registration']);
      }
      const uk = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: '+447400123456', purchase: true });
      expect(uk.status).toBe(201);
      expect(uk.body.warnings).toBeUndefined();
      const existing = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: SUPPORT_NUMBER });
      expect(existing.body.warnings).toBeUndefined();
    });
  });
}
