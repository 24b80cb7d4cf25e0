import { afterEach, describe, expect, it } from 'vitest';
import { apiClient } from '../helpers/api.js';
import { ENGINES } from '../helpers/server.js';
import { capturedLog, connectViaApi } from '../helpers/twilio-integration.js';
import { createTwilioWorld, freePort, type TwilioWorld } from '../helpers/twilio-world.js';
import { PASSWORD } from '../helpers/world.js';

const INTEGRATION = '/api/integrations/twilio';

for (const engine of ENGINES) {
  describe(`connecting a Twilio account (${engine})`, () => {
    let world: TwilioWorld | undefined;
    afterEach(async () => {
      await world?.destroy();
      world = undefined;
    });

    const storedAccounts = () => world!.server.ctx.db.selectFrom('twilioAccounts').selectAll().execute();
    const auditActions = async () => (await world!.server.ctx.db.selectFrom('auditLog').select('action').execute()).map((r) => r.action);

    it('shows nothing connected, then connects with good credentials and shows who did it', async () => {
      world = await createTwilioWorld(engine, { connect: false });
      const before = await world.admin.api.get(INTEGRATION);
      expect(before.status).toBe(200);
      expect(before.body).toEqual({ publicUrl: world.publicUrl, connected: false, accountSid: null, connectedAt: null, connectedBy: null, paused: false, senders: [], signatureFailures: { count: 0, lastAt: null } });

      const res = await world.admin.api.put(INTEGRATION, { accountSid: world.account.sid, authToken: world.account.authToken });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ connected: true, accountSid: world.account.sid, connectedBy: { id: world.admin.id, name: 'Ada Admin' }, paused: false, senders: [] });
      expect(new Date(res.body.connectedAt).toISOString()).toBe(res.body.connectedAt);

      const [row] = await storedAccounts();
      expect(row!.accountSid).toBe(world.account.sid);
      expect(row!.authTokenSealed).not.toContain(world.account.authToken);
      expect(world.server.ctx.keyring.decrypt('twilio-token-encryption', row!.authTokenSealed)).toBe(world.account.authToken);
      expect((await world.admin.api.get(INTEGRATION)).body).toEqual(res.body);

      const audit = await world.admin.api.get('/api/audit');
      expect(audit.body.items).toEqual([
        expect.objectContaining({ action: 'twilio.connected', target: `AC…${world.account.sid.slice(-4)}`, actor: { id: world.admin.id, name: 'Ada Admin' } }),
      ]);
      expect(JSON.stringify(audit.body)).not.toContain(world.account.sid);
    });

    it('refuses a wrong token with 422 and stores nothing', async () => {
      world = await createTwilioWorld(engine, { connect: false });
      const res = await world.admin.api.put(INTEGRATION, { accountSid: world.account.sid, authToken: 'f'.repeat(32) });
      expect(res.status).toBe(422);
      expect(res.body.error.message).toContain('Twilio rejected this Account SID and Auth Token');
      expect(res.body.error.field).toBe('authToken');
      expect(await storedAccounts()).toEqual([]);
      expect(await auditActions()).toEqual([]);
      expect((await world.admin.api.get(INTEGRATION)).body.connected).toBe(false);
    });

    it('refuses an unknown Account SID with 422 too', async () => {
      world = await createTwilioWorld(engine, { connect: false });
      const res = await world.admin.api.put(INTEGRATION, { accountSid: 'AC' + '0'.repeat(32), authToken: world.account.authToken });
      expect(res.status).toBe(422);
      expect(res.body.error.message).toContain('Twilio rejected this Account SID and Auth Token');
      expect(await storedAccounts()).toEqual([]);
    });

    it('answers 502 and stores nothing when Twilio fails or cannot be reached', async () => {
      world = await createTwilioWorld(engine, { connect: false });
      world.sim.setFaults({ serverErrorRate: 1 });
      const failing = await world.admin.api.put(INTEGRATION, { accountSid: world.account.sid, authToken: world.account.authToken });
      expect(failing.status).toBe(502);
      expect(failing.body.error.code).toBe('twilio_unreachable');
      expect(failing.body.error.message).toMatch(/Twilio could not be reached/);
      world.sim.resetFaults();
      expect(await storedAccounts()).toEqual([]);
      await world.destroy();

      // Nothing listens on this port: the connection is refused.
      world = await createTwilioWorld(engine, { connect: false, env: { TWILIO_API_URL: `http://127.0.0.1:${await freePort()}` } });
      const down = await world.admin.api.put(INTEGRATION, { accountSid: world.account.sid, authToken: world.account.authToken });
      expect(down.status).toBe(502);
      expect(down.body.error.code).toBe('twilio_unreachable');
      expect(await storedAccounts()).toEqual([]);
      expect(await auditActions()).toEqual([]);
    });

    it('refuses malformed credentials with 422 naming the field, before asking Twilio', async () => {
      world = await createTwilioWorld(engine, { connect: false });
      world.sim.setFaults({ serverErrorRate: 1 }); // a call to Twilio would answer 502
      const badSid = await world.admin.api.put(INTEGRATION, { accountSid: 'AC123', authToken: 'x' });
      expect(badSid.status).toBe(422);
      expect(badSid.body.error.field).toBe('accountSid');
      const upper = await world.admin.api.put(INTEGRATION, { accountSid: 'AC' + 'A'.repeat(32), authToken: 'x' });
      expect(upper.body.error.field).toBe('accountSid');
      const noToken = await world.admin.api.put(INTEGRATION, { accountSid: world.account.sid, authToken: '  ' });
      expect(noToken.status).toBe(422);
      expect(noToken.body.error.field).toBe('authToken');
      const missing = await world.admin.api.put(INTEGRATION, { accountSid: world.account.sid });
      expect(missing.body.error.field).toBe('authToken');
      const extra = await world.admin.api.put(INTEGRATION, { accountSid: world.account.sid, authToken: 'x', region: 'ie1' });
      expect(extra.body.error.field).toBe('region');
      expect(await storedAccounts()).toEqual([]);
    });

    it('refuses a second account while one is connected (409), and one account in two organizations', async () => {
      world = await createTwilioWorld(engine, { connect: false, env: { ALLOW_SIGNUP: 'true' } });
      await connectViaApi(world);
      const other = world.sim.createAccount();
      const second = await world.admin.api.put(INTEGRATION, { accountSid: other.sid, authToken: other.authToken });
      expect(second.status).toBe(409);
      expect(second.body.error.message).toContain('disconnect the current Twilio account first');
      expect((await storedAccounts()).map((a) => a.accountSid)).toEqual([world.account.sid]);

      const signup = await world.anonymous.post('/api/signup', { orgName: 'Globex', name: 'Gil', email: 'gil@globex.test', password: PASSWORD });
      expect(signup.status).toBe(201);
      const globex = apiClient(world.server.app, signup.body.token);
      const stolen = await globex.put(INTEGRATION, { accountSid: world.account.sid, authToken: world.account.authToken });
      expect(stolen.status).toBe(409);
      expect(stolen.body.error.message).toContain('another Parley organization');
      expect((await globex.get(INTEGRATION)).body.connected).toBe(false);
      // Globex can connect an account of its own, and still sees nothing of Acme's.
      expect((await globex.put(INTEGRATION, { accountSid: other.sid, authToken: other.authToken })).status).toBe(200);
      expect((await globex.get('/api/audit')).body.items.map((e: { target: string }) => e.target)).toEqual([`AC…${other.sid.slice(-4)}`]);
    });

    it('tells only the holder of the right Auth Token that an Account SID is connected elsewhere', async () => {
      world = await createTwilioWorld(engine, { connect: false, env: { ALLOW_SIGNUP: 'true' } });
      await connectViaApi(world);
      const signup = await world.anonymous.post('/api/signup', { orgName: 'Globex', name: 'Gil', email: 'gil@globex.test', password: PASSWORD });
      const globex = apiClient(world.server.app, signup.body.token);
      const unknown = await globex.put(INTEGRATION, { accountSid: 'AC' + '0'.repeat(32), authToken: 'f'.repeat(32) });
      const taken = await globex.put(INTEGRATION, { accountSid: world.account.sid, authToken: 'f'.repeat(32) });
      expect(taken.status).toBe(422);
      const { requestId: _a, ...takenError } = taken.body.error;
      const { requestId: _b, ...unknownError } = unknown.body.error;
      expect(takenError).toEqual(unknownError);
      const proven = await globex.put(INTEGRATION, { accountSid: world.account.sid, authToken: world.account.authToken });
      expect(proven.status).toBe(409);
      expect(proven.body.error.message).toContain('another Parley organization');
    });

    it('replaces the token for the same Account SID, after checking it, and resumes a paused account', async () => {
      world = await createTwilioWorld(engine, { connect: false });
      await connectViaApi(world);
      const added = await world.admin.api.post(`${INTEGRATION}/senders`, { type: 'phone_number', phoneNumber: '+14155550100' });
      expect(added.status).toBe(201);

      // The token is rotated in Twilio's console: calls with the saved one are refused.
      const rotated = 'e'.repeat(32);
      world.sim.setAuthToken(world.account.sid, rotated);
      await world.server.ctx.db.updateTable('twilioAccounts').set({ pausedAt: Date.now() }).execute();
      expect((await world.admin.api.get(INTEGRATION)).body.paused).toBe(true);
      const stale = await world.admin.api.get(`${INTEGRATION}/incoming-numbers`);
      expect(stale.status).toBe(409);
      expect(stale.body.error.message).toContain('Twilio rejected the saved Auth Token');

      const wrong = await world.admin.api.put(INTEGRATION, { accountSid: world.account.sid, authToken: 'd'.repeat(32) });
      expect(wrong.status).toBe(422);
      const [kept] = await storedAccounts();
      expect(world.server.ctx.keyring.decrypt('twilio-token-encryption', kept!.authTokenSealed)).toBe(world.account.authToken);
      expect(kept!.pausedAt).not.toBeNull();

      const replaced = await world.admin.api.put(INTEGRATION, { accountSid: world.account.sid, authToken: rotated });
      expect(replaced.status).toBe(200);
      expect(replaced.body.paused).toBe(false);
      expect(replaced.body.senders.map((s: { id: string }) => s.id)).toEqual([added.body.id]);
      const [row] = await storedAccounts();
      expect(row!.id).toBe(kept!.id);
      expect(world.server.ctx.keyring.decrypt('twilio-token-encryption', row!.authTokenSealed)).toBe(rotated);
      expect(row!.pausedAt).toBeNull();
      expect((await world.admin.api.get(`${INTEGRATION}/incoming-numbers`)).status).toBe(200);
      expect((await world.admin.api.get('/api/audit')).body.items.map((e: { action: string }) => e.action)).toEqual([
        'twilio.token_replaced',
        'sender.added',
        'twilio.connected',
      ]);
    });

    it('lets only admins manage the integration (403 for agents, 401 signed out)', async () => {
      world = await createTwilioWorld(engine, { connect: false });
      const agent = world.agent.api;
      const creds = { accountSid: world.account.sid, authToken: world.account.authToken };
      const calls = [
        agent.get(INTEGRATION),
        agent.put(INTEGRATION, creds),
        agent.delete(INTEGRATION),
        agent.get(`${INTEGRATION}/incoming-numbers`),
        agent.get(`${INTEGRATION}/available-numbers`),
        agent.post(`${INTEGRATION}/senders`, { type: 'short_code', shortCode: '12345' }),
        agent.patch(`${INTEGRATION}/senders/x`, { ratePerSecond: 2 }),
        agent.delete(`${INTEGRATION}/senders/x`),
        agent.get('/api/audit'),
      ];
      for (const res of await Promise.all(calls)) expect(res.status).toBe(403);
      expect((await world.anonymous.put(INTEGRATION, creds)).status).toBe(401);
      expect(await storedAccounts()).toEqual([]);
    });

    it('never shows the Auth Token in a response or a log line', async () => {
      const captured = capturedLog();
      world = await createTwilioWorld(engine, { connect: false, log: captured.log, env: { LOG_LEVEL: 'trace' } });
      const { sid, authToken } = world.account;
      const basic = Buffer.from(`${sid}:${authToken}`).toString('base64');
      const api = world.admin.api;
      const responses = [
        await api.put(INTEGRATION, { accountSid: sid, authToken: 'c'.repeat(32) }),
        await api.put(INTEGRATION, { accountSid: sid, authToken }),
        await api.get(INTEGRATION),
        await api.put(INTEGRATION, { accountSid: sid, authToken }),
        await api.post(`${INTEGRATION}/senders`, { type: 'phone_number', phoneNumber: '+14155550100' }),
        await api.get(`${INTEGRATION}/incoming-numbers`),
        await api.get(`${INTEGRATION}/available-numbers?areaCode=415`),
        await api.get('/api/senders'),
        await api.get('/api/audit'),
      ];
      world.sim.setFaults({ serverErrorRate: 1 });
      responses.push(await api.put(INTEGRATION, { accountSid: sid, authToken }));
      responses.push(await api.delete(INTEGRATION));
      world.sim.resetFaults();
      expect(responses.map((r) => r.status)).toEqual([422, 200, 200, 200, 201, 200, 200, 200, 200, 502, 200]);
      for (const res of responses) {
        const text = JSON.stringify(res.body);
        expect(text).not.toContain(authToken);
        expect(text).not.toContain(basic);
      }
      const log = captured.text();
      expect(log).toContain('twilio account connected'); // the capture works
      expect(log).toContain('"method":"PUT"'); // request logging at trace level is on
      expect(log).not.toContain(authToken);
      expect(log).not.toContain(basic);
      expect(log).not.toContain('c'.repeat(32));
    });
  });
}
