import { sql } from 'kysely';
import twilio from 'twilio';
import type { Db } from '../../src/db/database.js';
import { afterEach, describe, expect, it } from 'vitest';
import { HOUR, countRows, inboundParams, manualClock, postWebhook } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { capturedLog, connectViaApi } from '../helpers/twilio-integration.js';
import { createTwilioWorld, CUSTOMER_PHONE, SUPPORT_NUMBER, type TwilioWorld } from '../helpers/twilio-world.js';

const ROTATED = 'rotated-in-the-console-0000000000';

/** Counts rows written to twilio_accounts from now on, by a trigger, on either engine. */
async function countAccountWrites(db: Db, engine: string): Promise<() => Promise<number>> {
  await sql`create table account_writes (n integer not null)`.execute(db);
  await sql`insert into account_writes (n) values (0)`.execute(db);
  if (engine === 'sqlite') {
    await sql`create trigger count_account_writes after update on twilio_accounts begin update account_writes set n = n + 1; end`.execute(db);
  } else {
    await sql`create function count_account_writes() returns trigger language plpgsql as $$ begin update account_writes set n = n + 1; return new; end $$`.execute(db);
    await sql`create trigger count_account_writes after update on twilio_accounts for each row execute function count_account_writes()`.execute(db);
  }
  return async () => Number((await sql<{ n: number }>`select n from account_writes`.execute(db)).rows[0]!.n);
}

/*
 * docs/twilio.md: a token rotated in Twilio's console makes every webhook fail its signature. That is
 * refused, logged and counted, shown on the integration, and cleared by the next valid webhook.
 */
for (const engine of ENGINES) {
  describe(`signature failures are loud (${engine})`, () => {
    let world: TwilioWorld;
    afterEach(() => world?.destroy());
    const failures = async () => (await world.admin.api.get('/api/integrations/twilio')).body.signatureFailures;

    it('with the token rotated at Twilio, inbound texts are refused, logged with a masked SID and counted; the next valid webhook clears it', async () => {
      const logged = capturedLog();
      world = await createTwilioWorld(engine, { log: logged.log });
      expect(await failures()).toEqual({ count: 0, lastAt: null });

      world.sim.setAuthToken(world.account.sid, ROTATED);
      const before = await countRows(world.server.ctx.db);
      for (const body of ['Hello?', 'Anyone there?']) {
        const sent = await world.sim.phoneSend({ from: CUSTOMER_PHONE, to: SUPPORT_NUMBER, body });
        expect(sent.webhookStatus).toBe(403);
      }
      expect(await countRows(world.server.ctx.db)).toEqual(before);
      const counted = await failures();
      expect(counted).toMatchObject({ count: 2, lastAt: expect.any(String) });
      expect(Date.now() - Date.parse(counted.lastAt)).toBeLessThan(HOUR);

      const warnings = logged
        .text()
        .split('\n')
        .filter((l) => l.includes('X-Twilio-Signature does not match'))
        .map((l) => JSON.parse(l));
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toMatchObject({
        level: 40,
        accountSid: `AC…${world.account.sid.slice(-4)}`,
        url: `${world.publicUrl}/webhooks/twilio/messages`,
        path: '/webhooks/twilio/messages',
      });
      expect(warnings[0].msg).toMatch(/Auth Token was probably rotated.*PUBLIC_URL/);
      expect(logged.text()).not.toContain(world.account.sid);

      // Status callbacks count too.
      const statusUrl = `${world.publicUrl}/webhooks/twilio/status`;
      const callback = { AccountSid: world.account.sid, MessageSid: 'SM' + 'cd'.repeat(16), MessageStatus: 'delivered' };
      const status = await fetch(statusUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(ROTATED, statusUrl, callback) },
        body: new URLSearchParams(callback),
      });
      expect(status.status).toBe(403);
      expect((await failures()).count).toBe(3);

      // Replacing the token is the fix; what proves it is the next webhook that passes.
      await connectViaApi(world, { authToken: ROTATED });
      expect((await failures()).count).toBe(3);
      const passed = await world.sim.phoneSend({ from: CUSTOMER_PHONE, to: SUPPORT_NUMBER, body: 'Third try' });
      expect(passed.webhookStatus).toBe(200);
      expect(await failures()).toEqual({ count: 0, lastAt: null });
      expect((await countRows(world.server.ctx.db)).messages).toBe(before.messages + 1);
    });

    it('a webhook whose signature is simply missing counts; one naming no connected account does not', async () => {
      world = await createTwilioWorld(engine);
      expect((await postWebhook(world, inboundParams(world), { signature: null })).status).toBe(403);
      const stranger = inboundParams(world, { AccountSid: 'AC' + 'f'.repeat(32) });
      expect((await postWebhook(world, stranger, { authToken: 'whatever' })).status).toBe(403);
      expect((await failures()).count).toBe(1);
    });

    it('a valid webhook writes nothing to the account when there is no run of failures to clear', async () => {
      world = await createTwilioWorld(engine);
      const writes = await countAccountWrites(world.server.ctx.db, engine);
      for (const body of ['one', 'two', 'three']) expect((await postWebhook(world, inboundParams(world, { Body: body }))).status).toBe(200);
      expect(await writes()).toBe(0);
      await postWebhook(world, inboundParams(world), { authToken: ROTATED });
      await postWebhook(world, inboundParams(world, { Body: 'clears it' }));
      await postWebhook(world, inboundParams(world, { Body: 'nothing left to clear' }));
      // One write to count the failure, one to clear it.
      expect(await writes()).toBe(2);
    });

    it('failures older than 24 hours are no longer shown, and a new one starts a new count', async () => {
      const clock = manualClock(Date.now());
      world = await createTwilioWorld(engine, { clock });
      await postWebhook(world, inboundParams(world), { authToken: ROTATED });
      await postWebhook(world, inboundParams(world), { authToken: ROTATED });
      expect(await failures()).toEqual({ count: 2, lastAt: new Date(clock.now()).toISOString() });
      clock.advance(24 * HOUR + 1);
      expect(await failures()).toEqual({ count: 0, lastAt: null });
      await postWebhook(world, inboundParams(world), { authToken: ROTATED });
      expect(await failures()).toEqual({ count: 1, lastAt: new Date(clock.now()).toISOString() });
    });
  });
}
