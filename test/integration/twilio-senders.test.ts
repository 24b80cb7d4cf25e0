import { afterEach, describe, expect, it } from 'vitest';
import { twilioClient } from '../../src/features/twilio/client.js';
import { apiClient } from '../helpers/api.js';
import { ENGINES } from '../helpers/server.js';
import { connectViaApi, seedConversation } from '../helpers/twilio-integration.js';
import { createTwilioWorld, SUPPORT_NUMBER, type TwilioWorld } from '../helpers/twilio-world.js';
import { PASSWORD } from '../helpers/world.js';

const INTEGRATION = '/api/integrations/twilio';
const SENDERS = `${INTEGRATION}/senders`;
const DEMO_URL = 'https://demo.twilio.com/welcome/sms/reply';
const FOREIGN_URL = 'https://helpdesk.example.com/sms';

for (const engine of ENGINES) {
  describe(`support numbers (${engine})`, () => {
    let world: TwilioWorld | undefined;
    afterEach(async () => {
      await world?.destroy();
      world = undefined;
    });

    async function connectedWorld(options: Parameters<typeof createTwilioWorld>[1] = {}) {
      world = await createTwilioWorld(engine, { connect: false, ...options });
      await connectViaApi(world);
      return world;
    }
    const ours = () => `${world!.publicUrl}/webhooks/twilio/messages`;
    const auditActions = async () => (await world!.admin.api.get('/api/audit')).body.items.map((e: { action: string; target: string }) => `${e.action} ${e.target}`);

    it('adds a number already in the account, in E.164, pointing only its SMS URL at Parley', async () => {
      const w = await connectedWorld();
      w.sim.addIncomingNumber(w.account.sid, '+14155550123', { statusCallback: 'https://voice.example.com/status', capabilities: { mms: false } });
      const res = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: '(415) 555-0123' });
      expect(res.status).toBe(201);
      const number = w.sim.getIncomingNumber('+14155550123')!;
      expect(res.body).toEqual({
        id: expect.any(String),
        type: 'phone_number',
        phoneNumber: '+14155550123',
        shortCode: null,
        messagingServiceSid: null,
        twilioSid: number.sid,
        capabilities: { sms: true, mms: false },
        ratePerSecond: 1,
        active: true,
      });
      expect(number.smsUrl).toBe(ours());
      expect(number.smsMethod).toBe('POST');
      expect(number.statusCallback).toBe('https://voice.example.com/status');
      // Admins also see the sender's catch-up with Twilio (docs/twilio.md#7-nothing-lost-while-parley-is-down).
      expect((await w.admin.api.get(INTEGRATION)).body.senders).toEqual([{ ...res.body, catchup: expect.objectContaining({ messages: 0, statuses: 0, error: null, errorAt: null }) }]);
      expect(await auditActions()).toEqual(['sender.added +14155550123', `twilio.connected AC…${w.account.sid.slice(-4)}`]);
    });

    it('refuses a number that is not in the account, or not a phone number, with 422 naming it', async () => {
      const w = await connectedWorld();
      const other = w.sim.createAccount();
      w.sim.addIncomingNumber(other.sid, '+14155550177');
      const notOurs = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: '+14155550177' });
      expect(notOurs.status).toBe(422);
      expect(notOurs.body.error.field).toBe('phoneNumber');
      expect(notOurs.body.error.message).toContain('+14155550177 is not a number in your Twilio account');
      expect(w.sim.getIncomingNumber('+14155550177')!.smsUrl).toBe(DEMO_URL);
      const garbage = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: '12' });
      expect(garbage.status).toBe(422);
      expect(garbage.body.error.field).toBe('phoneNumber');
      const badType = await w.admin.api.post(SENDERS, { type: 'fax', phoneNumber: '+14155550100' });
      expect(badType.body.error.field).toBe('type');
      const wrongField = await w.admin.api.post(SENDERS, { type: 'short_code', phoneNumber: '+14155550100' });
      expect(wrongField.status).toBe(422);
      expect((await w.admin.api.get(INTEGRATION)).body.senders).toEqual([]);
      expect(await auditActions()).toHaveLength(1);
    });

    it('refuses adding a sender before an account is connected', async () => {
      world = await createTwilioWorld(engine, { connect: false });
      const res = await world.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: SUPPORT_NUMBER });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain('Connect a Twilio account first');
      expect((await world.admin.api.get(`${INTEGRATION}/incoming-numbers`)).status).toBe(409);
    });

    it('lists the account’s numbers with whose SMS URL each holds and whether it is a sender', async () => {
      const w = await connectedWorld();
      w.sim.addIncomingNumber(w.account.sid, '+14155550124', { smsUrl: FOREIGN_URL });
      const added = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: SUPPORT_NUMBER });
      const other = w.sim.createAccount();
      w.sim.addIncomingNumber(other.sid, '+14155550178');
      const res = await w.admin.api.get(`${INTEGRATION}/incoming-numbers`);
      expect(res.status).toBe(200);
      expect(res.body.nextCursor).toBeNull();
      const byNumber = Object.fromEntries(res.body.items.map((n: { phoneNumber: string }) => [n.phoneNumber, n]));
      expect(Object.keys(byNumber).sort()).toEqual([SUPPORT_NUMBER, '+14155550124']);
      expect(byNumber[SUPPORT_NUMBER]).toMatchObject({ webhook: 'parley', senderId: added.body.id, capabilities: { sms: true, mms: true } });
      expect(byNumber['+14155550124']).toMatchObject({ webhook: 'other', smsUrl: FOREIGN_URL, senderId: null });
    });

    it('searches numbers to buy and buys one, already pointed at Parley', async () => {
      const w = await connectedWorld();
      w.sim.addAvailableNumber('US', '+14155550150', { locality: 'San Francisco', region: 'CA' });
      w.sim.addAvailableNumber('US', '+12125550151', { capabilities: { mms: false } });
      w.sim.addAvailableNumber('GB', '+447700900152');
      const sf = await w.admin.api.get(`${INTEGRATION}/available-numbers?areaCode=415`);
      expect(sf.status).toBe(200);
      expect(sf.body.items).toEqual([
        { phoneNumber: '+14155550150', friendlyName: expect.any(String), locality: 'San Francisco', region: 'CA', postalCode: null, isoCountry: 'US', capabilities: { sms: true, mms: true } },
      ]);
      const mms = await w.admin.api.get(`${INTEGRATION}/available-numbers?mmsEnabled=true`);
      expect(mms.body.items.map((n: { phoneNumber: string }) => n.phoneNumber)).toEqual(['+14155550150']);
      const contains = await w.admin.api.get(`${INTEGRATION}/available-numbers?contains=0151`);
      expect(contains.body.items.map((n: { phoneNumber: string }) => n.phoneNumber)).toEqual(['+12125550151']);
      const gb = await w.admin.api.get(`${INTEGRATION}/available-numbers?country=gb`);
      expect(gb.body.items.map((n: { phoneNumber: string }) => n.phoneNumber)).toEqual(['+447700900152']);
      expect((await w.admin.api.get(`${INTEGRATION}/available-numbers?areaCode=41`)).body.error.field).toBe('areaCode');
      expect((await w.admin.api.get(`${INTEGRATION}/available-numbers?country=USA`)).body.error.field).toBe('country');

      const bought = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: '+14155550150', purchase: true });
      expect(bought.status).toBe(201);
      const number = w.sim.getIncomingNumber('+14155550150')!;
      expect(number.accountSid).toBe(w.account.sid);
      expect(number.smsUrl).toBe(ours());
      expect(bought.body).toMatchObject({ type: 'phone_number', phoneNumber: '+14155550150', twilioSid: number.sid, ratePerSecond: 1 });

      const gone = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: '+14155550160', purchase: true });
      expect(gone.status).toBe(422);
      expect(gone.body.error.field).toBe('phoneNumber');
      expect(gone.body.error.message).toContain('21422');
      expect(w.sim.getIncomingNumber('+14155550160')).toBeUndefined();
    });

    it('adds a short code (SMS only, 100 segments/s) and points its SMS URL at Parley', async () => {
      const w = await connectedWorld();
      w.sim.addShortCode(w.account.sid, '72345');
      const res = await w.admin.api.post(SENDERS, { type: 'short_code', shortCode: '72345' });
      expect(res.status).toBe(201);
      const code = w.sim.getShortCode('72345')!;
      expect(res.body).toEqual({
        id: expect.any(String),
        type: 'short_code',
        phoneNumber: null,
        shortCode: '72345',
        messagingServiceSid: null,
        twilioSid: code.sid,
        capabilities: { sms: true, mms: false },
        ratePerSecond: 100,
        active: true,
      });
      expect(code.smsUrl).toBe(ours());
      expect(code.smsMethod).toBe('POST');
      const missing = await w.admin.api.post(SENDERS, { type: 'short_code', shortCode: '99999' });
      expect(missing.status).toBe(422);
      expect(missing.body.error.field).toBe('shortCode');
      expect((await w.admin.api.post(SENDERS, { type: 'short_code', shortCode: '1234' })).body.error.field).toBe('shortCode');
    });

    it('adds a Messaging Service, setting its inbound URL and turning off the per-number webhook', async () => {
      const w = await connectedWorld();
      const service = w.sim.addMessagingService(w.account.sid, { phoneNumbers: ['+14155550130'], useInboundWebhookOnNumber: true });
      const res = await w.admin.api.post(SENDERS, { type: 'messaging_service', messagingServiceSid: service.sid, replaceWebhook: true });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        type: 'messaging_service',
        phoneNumber: null,
        shortCode: null,
        messagingServiceSid: service.sid,
        twilioSid: service.sid,
        capabilities: { sms: true, mms: true },
        ratePerSecond: 100,
        active: true,
      });
      const after = w.sim.getMessagingService(service.sid)!;
      expect(after.inboundRequestUrl).toBe(ours());
      expect(after.inboundMethod).toBe('POST');
      expect(after.useInboundWebhookOnNumber).toBe(false);
      expect(w.sim.getIncomingNumber('+14155550130')!.smsUrl).toBe(DEMO_URL);

      const unknown = await w.admin.api.post(SENDERS, { type: 'messaging_service', messagingServiceSid: 'MG' + '0'.repeat(32) });
      expect(unknown.status).toBe(422);
      expect(unknown.body.error.field).toBe('messagingServiceSid');
      expect((await w.admin.api.post(SENDERS, { type: 'messaging_service', messagingServiceSid: 'MG123' })).body.error.field).toBe('messagingServiceSid');
    });

    it('refuses a foreign SMS URL with 409 naming it, then replaces it when asked', async () => {
      const w = await connectedWorld();
      w.sim.addIncomingNumber(w.account.sid, '+14155550125', { smsUrl: FOREIGN_URL });
      const service = w.sim.addMessagingService(w.account.sid, { inboundRequestUrl: FOREIGN_URL });
      const refused = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: '+14155550125' });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('webhook_in_use');
      expect(refused.body.error.message).toContain(FOREIGN_URL);
      expect(refused.body.error.message).toContain('replaceWebhook');
      expect(w.sim.getIncomingNumber('+14155550125')!.smsUrl).toBe(FOREIGN_URL);
      const refusedService = await w.admin.api.post(SENDERS, { type: 'messaging_service', messagingServiceSid: service.sid });
      expect(refusedService.status).toBe(409);
      expect(w.sim.getMessagingService(service.sid)!.inboundRequestUrl).toBe(FOREIGN_URL);
      expect((await w.admin.api.get(INTEGRATION)).body.senders).toEqual([]);

      const replaced = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: '+14155550125', replaceWebhook: true });
      expect(replaced.status).toBe(201);
      expect(w.sim.getIncomingNumber('+14155550125')!.smsUrl).toBe(ours());
      expect((await w.admin.api.post(SENDERS, { type: 'messaging_service', messagingServiceSid: service.sid, replaceWebhook: true })).status).toBe(201);
      expect(w.sim.getMessagingService(service.sid)!.inboundRequestUrl).toBe(ours());
    });

    it('takes over an empty or demo SMS URL without asking', async () => {
      const w = await connectedWorld();
      w.sim.addIncomingNumber(w.account.sid, '+14155550126', { smsUrl: '' });
      w.sim.addIncomingNumber(w.account.sid, '+14155550127', { smsUrl: 'http://demo.twilio.com/welcome/sms/reply/' });
      for (const phoneNumber of ['+14155550126', '+14155550127']) {
        expect((await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber })).status).toBe(201);
        expect(w.sim.getIncomingNumber(phoneNumber)!.smsUrl).toBe(ours());
      }
    });

    it('refuses a sender that is already added (409)', async () => {
      const w = await connectedWorld();
      expect((await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: SUPPORT_NUMBER })).status).toBe(201);
      const again = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: '415-555-0100' });
      expect(again.status).toBe(409);
      expect(again.body.error.message).toContain(`${SUPPORT_NUMBER} is already a sender`);
      expect((await w.admin.api.get(INTEGRATION)).body.senders).toHaveLength(1);
    });

    it('does not tell an admin whether another organization uses a number outside their account', async () => {
      const w = await connectedWorld({ env: { ALLOW_SIGNUP: 'true' } });
      const other = await w.anonymous.post('/api/signup', { orgName: 'Other', name: 'Oz', email: 'oz@other.test', password: PASSWORD });
      const otherApi = apiClient(w.server.app, other.body.token);
      const theirs = w.sim.createAccount();
      w.sim.addIncomingNumber(theirs.sid, '+14155550177');
      expect((await otherApi.put(INTEGRATION, { accountSid: theirs.sid, authToken: theirs.authToken })).status).toBe(200);
      expect((await otherApi.post(SENDERS, { type: 'phone_number', phoneNumber: '+14155550177' })).status).toBe(201);

      const probe = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: '+14155550177' });
      expect(probe.status).toBe(422);
      expect(probe.body.error.message).toContain('is not a number in your Twilio account');
    });

    it('changes a sender’s rate within bounds, and 404s a sender of another organization', async () => {
      const w = await connectedWorld({ env: { ALLOW_SIGNUP: 'true' } });
      const added = (await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: SUPPORT_NUMBER })).body;
      const changed = await w.admin.api.patch(`${SENDERS}/${added.id}`, { ratePerSecond: 2.5 });
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual({ ...added, ratePerSecond: 2.5 });
      expect((await w.admin.api.get(INTEGRATION)).body.senders[0].ratePerSecond).toBe(2.5);
      for (const ratePerSecond of [0, -1, 1001, 'fast']) {
        const res = await w.admin.api.patch(`${SENDERS}/${added.id}`, { ratePerSecond });
        expect(res.status).toBe(422);
        expect(res.body.error.field).toBe('ratePerSecond');
      }
      expect((await w.admin.api.patch(`${SENDERS}/${added.id}`, {})).body.error.field).toBe('ratePerSecond');
      expect((await w.admin.api.patch(`${SENDERS}/nope`, { ratePerSecond: 3 })).status).toBe(404);
      const signup = await w.anonymous.post('/api/signup', { orgName: 'Globex', name: 'Gil', email: 'gil@globex.test', password: PASSWORD });
      const globex = apiClient(w.server.app, signup.body.token);
      expect((await globex.patch(`${SENDERS}/${added.id}`, { ratePerSecond: 3 })).status).toBe(404);
      expect((await globex.delete(`${SENDERS}/${added.id}`)).status).toBe(404);
      expect((await globex.get('/api/senders')).body.items).toEqual([]);
      expect((await w.admin.api.get(INTEGRATION)).body.senders[0].ratePerSecond).toBe(2.5);
      expect(await auditActions()).toContain(`sender.updated ${SUPPORT_NUMBER}: 1 → 2.5 segments/s`);
    });

    it('shows agents the active senders they may send from', async () => {
      const w = await connectedWorld();
      const phone = (await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: SUPPORT_NUMBER })).body;
      w.sim.addShortCode(w.account.sid, '72346');
      const code = (await w.admin.api.post(SENDERS, { type: 'short_code', shortCode: '72346' })).body;
      expect((await w.admin.api.delete(`${SENDERS}/${code.id}`)).status).toBe(200);
      const res = await w.agent.api.get('/api/senders');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: [phone], nextCursor: null });
      expect((await w.anonymous.get('/api/senders')).status).toBe(401);
    });

    it('removes a sender: lets go of Parley’s URL at Twilio only, keeps its conversations, and can add it back', async () => {
      const w = await connectedWorld();
      const added = (await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: SUPPORT_NUMBER })).body;
      const seeded = await seedConversation(w.server, w.organizationId, added.id);
      w.sim.addShortCode(w.account.sid, '72347');
      const code = (await w.admin.api.post(SENDERS, { type: 'short_code', shortCode: '72347' })).body;
      const service = w.sim.addMessagingService(w.account.sid);
      const svc = (await w.admin.api.post(SENDERS, { type: 'messaging_service', messagingServiceSid: service.sid })).body;

      const removed = await w.admin.api.delete(`${SENDERS}/${added.id}`);
      expect(removed.status).toBe(200);
      expect(removed.body).toMatchObject({ sender: { ...added, active: false }, twilioCleared: true });
      expect(w.sim.getIncomingNumber(SUPPORT_NUMBER)!.smsUrl).toBe('');
      expect((await w.admin.api.delete(`${SENDERS}/${svc.id}`)).body.twilioCleared).toBe(true);
      expect(w.sim.getMessagingService(service.sid)!.inboundRequestUrl).toBe('');

      // Someone pointed the short code elsewhere meanwhile: that URL is not Parley's to clear.
      const other = 'https://other.example.com/sms';
      const client = twilioClient(w.server.config, w.account.sid, w.account.authToken);
      await client.shortCodes(code.twilioSid).update({ smsUrl: other });
      expect((await w.admin.api.delete(`${SENDERS}/${code.id}`)).status).toBe(200);
      expect(w.sim.getShortCode('72347')!.smsUrl).toBe(other);

      expect((await w.admin.api.get(INTEGRATION)).body.senders).toEqual([]);
      expect((await w.admin.api.delete(`${SENDERS}/${added.id}`)).status).toBe(404);
      const db = w.server.ctx.db;
      expect(await db.selectFrom('conversations').select('senderId').where('id', '=', seeded.conversationId).executeTakeFirst()).toEqual({ senderId: added.id });
      expect(await db.selectFrom('messages').select('id').where('id', '=', seeded.messageId).executeTakeFirst()).toBeTruthy();
      expect(await auditActions()).toContain(`sender.removed ${SUPPORT_NUMBER}`);

      // Added again, it is the same sender, so its conversations carry on.
      const back = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: SUPPORT_NUMBER });
      expect(back.status).toBe(201);
      expect(back.body).toEqual({ ...added, active: true });
      expect(w.sim.getIncomingNumber(SUPPORT_NUMBER)!.smsUrl).toBe(ours());
    });

    it('still removes a sender when Twilio cannot be reached, and says so', async () => {
      const w = await connectedWorld();
      const added = (await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: SUPPORT_NUMBER })).body;
      w.sim.setFaults({ serverErrorRate: 1 });
      const removed = await w.admin.api.delete(`${SENDERS}/${added.id}`);
      w.sim.resetFaults();
      expect(removed.status).toBe(200);
      expect(removed.body.twilioCleared).toBe(false);
      expect(removed.body.message).toContain('Twilio could not be reached');
      expect(w.sim.getIncomingNumber(SUPPORT_NUMBER)!.smsUrl).toBe(ours());
      expect((await w.admin.api.get(INTEGRATION)).body.senders).toEqual([]);
    });

    it('answers 502 and adds nothing when Twilio fails while adding', async () => {
      const w = await connectedWorld();
      w.sim.setFaults({ serverErrorRate: 1 });
      const res = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: SUPPORT_NUMBER });
      w.sim.resetFaults();
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('twilio_unreachable');
      expect((await w.admin.api.get(INTEGRATION)).body.senders).toEqual([]);
    });

    it('pages the audit log newest first', async () => {
      // Every reading of the clock is a millisecond later, so the entries' order is certain.
      let tick = Date.now();
      const w = await connectedWorld({ clock: { now: () => ++tick } });
      for (const code of ['72350', '72351', '72352']) {
        w.sim.addShortCode(w.account.sid, code);
        expect((await w.admin.api.post(SENDERS, { type: 'short_code', shortCode: code })).status).toBe(201);
      }
      const first = await w.admin.api.get('/api/audit?limit=3');
      expect(first.body.items.map((e: { target: string }) => e.target)).toEqual(['72352', '72351', '72350']);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await w.admin.api.get(`/api/audit?limit=3&cursor=${first.body.nextCursor}`);
      expect(second.body.items.map((e: { action: string }) => e.action)).toEqual(['twilio.connected']);
      expect(second.body.nextCursor).toBeNull();
      expect((await w.admin.api.get('/api/audit?cursor=garbage')).body.error.field).toBe('cursor');
    });
  });
}
