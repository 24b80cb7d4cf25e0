import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import { connectedAccountBySid } from '../../src/features/twilio/accounts.js';
import { eventually } from '../helpers/api.js';
import { ENGINES } from '../helpers/server.js';
import { connectViaApi, databaseTraces, seedConversation } from '../helpers/twilio-integration.js';
import { createTwilioWorld, SUPPORT_NUMBER, type TwilioWorld } from '../helpers/twilio-world.js';

const INTEGRATION = '/api/integrations/twilio';
const SENDERS = `${INTEGRATION}/senders`;

for (const engine of ENGINES) {
  describe(`disconnecting Twilio (${engine})`, () => {
    let world: TwilioWorld | undefined;
    afterEach(async () => {
      await world?.destroy();
      world = undefined;
    });

    /** Connected through the API, with a number, a short code and a service, and one conversation. */
    async function fullyConnected() {
      const w = (world = await createTwilioWorld(engine, { connect: false }));
      await connectViaApi(w);
      // The token is replaced once, so an older sealed copy existed too.
      const rotated = 'b'.repeat(32);
      w.sim.setAuthToken(w.account.sid, rotated);
      w.account.authToken = rotated;
      await connectViaApi(w);
      w.sim.addShortCode(w.account.sid, '72399');
      const service = w.sim.addMessagingService(w.account.sid, { phoneNumbers: ['+14155550140'] });
      const phone = (await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: SUPPORT_NUMBER })).body;
      const code = (await w.admin.api.post(SENDERS, { type: 'short_code', shortCode: '72399' })).body;
      const svc = (await w.admin.api.post(SENDERS, { type: 'messaging_service', messagingServiceSid: service.sid })).body;
      const seeded = await seedConversation(w.server, w.organizationId, phone.id);
      const sealed = (await w.server.ctx.db.selectFrom('twilioAccounts').select('authTokenSealed').executeTakeFirstOrThrow()).authTokenSealed;
      return { w, service, phone, code, svc, seeded, sealed };
    }

    it('puts back the webhooks Parley replaced at Twilio, leaves no trace of the SID or token in the database, and keeps the history', async () => {
      const { w, service, phone, seeded, sealed } = await fullyConnected();
      const secrets = [w.account.sid, w.account.authToken, sealed];
      // A picture still waiting for its download keeps Twilio's URL, which names the SID, and a
      // failed attempt may quote it in the job's error.
      const twilioMediaUrl = `${w.sim.url}/2010-04-01/Accounts/${w.account.sid}/Messages/MM${'0f'.repeat(16)}/Media/ME${'e0'.repeat(16)}`;
      const now = Date.now();
      const mediaId = newId(now);
      const accountId = (await w.server.ctx.db.selectFrom('twilioAccounts').select('id').executeTakeFirstOrThrow()).id;
      await w.server.ctx.db
        .insertInto('media')
        .values({ id: mediaId, organizationId: w.organizationId, messageId: seeded.messageId, contentType: 'image/jpeg', size: 0, status: 'pending', sourceUrl: twilioMediaUrl, errorMessage: null, position: 0, uploadedBy: null, createdAt: now })
        .execute();
      await w.server.ctx.db
        .insertInto('jobs')
        .values({ id: newId(now), kind: 'media.download', payload: JSON.stringify({ mediaId, accountId }), status: 'pending', runAt: now + 3_600_000, attempts: 1, lockedUntil: null, lockedBy: null, lastError: `503 from ${twilioMediaUrl}`, createdAt: now })
        .execute();
      // The search can see: before disconnecting, the SID and sealed token are stored.
      expect(await databaseTraces(w.server, secrets)).toEqual(expect.arrayContaining([w.account.sid, sealed]));

      const res = await w.admin.api.delete(INTEGRATION);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ disconnected: true, twilioCleared: true, message: expect.stringContaining('Disconnected') });

      // Parley found the number already pointing at it (nothing to put back), the short code on Twilio's demo.
      expect(w.sim.getIncomingNumber(SUPPORT_NUMBER)!.smsUrl).toBe('');
      expect(w.sim.getShortCode('72399')!.smsUrl).toBe('https://demo.twilio.com/welcome/sms/reply');
      expect(w.sim.getMessagingService(service.sid)!.inboundRequestUrl).toBe('');
      // A phone texting the number now reaches nobody.
      expect((await w.sim.phoneSend({ from: '+14155550199', to: SUPPORT_NUMBER, body: 'anyone there?' })).webhookStatus).toBe(0);

      expect(await databaseTraces(w.server, secrets)).toEqual([]);
      expect(await w.server.ctx.db.selectFrom('media').select(['status', 'sourceUrl']).execute()).toEqual([{ status: 'pending', sourceUrl: null }]);
      // When its job next runs, the download gives up and the message says a picture is missing.
      await w.server.ctx.db.updateTable('jobs').set({ runAt: Date.now() }).where('kind', '=', 'media.download').execute();
      w.server.ctx.wakeWorker();
      await eventually(async () => (await w.server.ctx.db.selectFrom('media').select('status').executeTakeFirstOrThrow()).status === 'failed', { what: 'the download to give up' });
      const shown = await w.server.ctx.db.selectFrom('messages').select('errorMessage').where('id', '=', seeded.messageId).executeTakeFirstOrThrow();
      expect(shown.errorMessage).toMatch(/1 attachment could not be downloaded/);
      expect(await connectedAccountBySid(w.server.ctx, w.account.sid)).toBeNull();

      const db = w.server.ctx.db;
      expect(await db.selectFrom('twilioAccounts').selectAll().execute()).toEqual([]);
      const senders = await db.selectFrom('senders').selectAll().execute();
      expect(senders).toHaveLength(3);
      for (const s of senders) expect(s).toMatchObject({ active: 0, twilioAccountId: null, removedAt: expect.any(Number) });
      expect(await db.selectFrom('messages').select('id').execute()).toEqual([{ id: seeded.messageId }]);
      expect(await db.selectFrom('conversations').select(['id', 'senderId']).execute()).toEqual([{ id: seeded.conversationId, senderId: phone.id }]);
      expect(await db.selectFrom('customers').select('id').execute()).toEqual([{ id: seeded.customerId }]);

      expect((await w.admin.api.get(INTEGRATION)).body).toEqual({ publicUrl: w.publicUrl, connected: false, accountSid: null, connectedAt: null, connectedBy: null, paused: false, senders: [], signatureFailures: { count: 0, lastAt: null } });
      expect((await w.agent.api.get('/api/senders')).body.items).toEqual([]);
      const audit = (await w.admin.api.get('/api/audit')).body.items;
      expect(audit[0]).toMatchObject({ action: 'twilio.disconnected', target: `AC…${w.account.sid.slice(-4)}`, actor: { id: w.admin.id } });
      expect((await w.admin.api.delete(INTEGRATION)).status).toBe(404);
    });

    it('still disconnects when Twilio cannot be reached, and says so', async () => {
      const { w, sealed } = await fullyConnected();
      w.sim.setFaults({ serverErrorRate: 1 });
      const res = await w.admin.api.delete(INTEGRATION);
      w.sim.resetFaults();
      expect(res.status).toBe(200);
      expect(res.body.twilioCleared).toBe(false);
      expect(res.body.message).toContain('Twilio could not be reached');
      expect(w.sim.getIncomingNumber(SUPPORT_NUMBER)!.smsUrl).toBe(`${w.publicUrl}/webhooks/twilio/messages`);
      expect(await databaseTraces(w.server, [w.account.sid, w.account.authToken, sealed])).toEqual([]);
      expect((await w.admin.api.get(INTEGRATION)).body.connected).toBe(false);
    });

    it('brings senders back only when an admin adds them again after reconnecting', async () => {
      const { w, phone, seeded } = await fullyConnected();
      expect((await w.admin.api.delete(INTEGRATION)).status).toBe(200);
      await connectViaApi(w);
      expect((await w.admin.api.get(INTEGRATION)).body.senders).toEqual([]);
      const back = await w.admin.api.post(SENDERS, { type: 'phone_number', phoneNumber: SUPPORT_NUMBER });
      expect(back.status).toBe(201);
      expect(back.body.id).toBe(phone.id);
      const row = await w.server.ctx.db.selectFrom('senders').selectAll().where('id', '=', phone.id).executeTakeFirstOrThrow();
      const account = await w.server.ctx.db.selectFrom('twilioAccounts').select('id').executeTakeFirstOrThrow();
      expect(row).toMatchObject({ active: 1, twilioAccountId: account.id, removedAt: null });
      expect(await w.server.ctx.db.selectFrom('conversations').select('senderId').where('id', '=', seeded.conversationId).executeTakeFirst()).toEqual({ senderId: phone.id });
      expect((await w.admin.api.get(INTEGRATION)).body.senders.map((s: { id: string }) => s.id)).toEqual([phone.id]);
    });
  });
}
