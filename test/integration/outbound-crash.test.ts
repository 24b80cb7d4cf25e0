import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import { eventually } from '../helpers/api.js';
import { startChildServer, type ChildServer } from '../helpers/child-server.js';
import { connectWorld, SENDER_ID, storage } from '../helpers/crash-world.js';
import { sentTo } from '../helpers/outbound.js';
import { ENGINES, TEST_SECRET } from '../helpers/server.js';
import { CUSTOMER_PHONE, freePort } from '../helpers/twilio-world.js';

/*
 * docs/rules.md#outbound-messages, "after a crash, jobs that were mid-send go through the same check": the server is
 * killed with SIGKILL after Twilio created the message and before the database recorded it.
 * After a restart the message must exist exactly once at Twilio, with its SID in the database.
 */
for (const engine of ENGINES) {
  describe(`a server killed mid-send (${engine})`, () => {
    const cleanup: (() => Promise<void> | void)[] = [];
    afterEach(async () => {
      for (const step of cleanup.reverse()) await step();
      cleanup.length = 0;
    });

    it('sends the message exactly once after a restart, and records its SID', async () => {
      const sim = await startSimulator();
      cleanup.push(() => sim.stop());
      const { env, database } = await storage(engine, cleanup);
      const port = await freePort();
      const serverEnv = { ...env, APP_SECRET: TEST_SECRET, TWILIO_API_URL: sim.url, TWILIO_MESSAGING_API_URL: sim.url, SEND_RECHECK_SECONDS: '1' };

      let server: ChildServer = await startChildServer(serverEnv, port);
      cleanup.push(() => server.stop());
      const { token } = await connectWorld(server, sim, database());

      // Twilio creates the message, then holds its answer; no callback will tell on it.
      sim.setFaults({ nextCreateFaults: ['accept-then-timeout'], hangMs: 120_000, dropStatusCallbacks: true });
      const res = await fetch(`${server.url}/api/conversations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ senderId: SENDER_ID, phone: CUSTOMER_PHONE, body: 'Sent just before the crash' }),
      });
      expect(res.status).toBe(202);
      const messageId = ((await res.json()) as { message: { id: string } }).message.id;
      await eventually(() => sentTo(sim, CUSTOMER_PHONE).length === 1, { what: 'Twilio to have the message' });
      const db = database().db;
      const started = await db.selectFrom('sendAttempts').selectAll().where('messageId', '=', messageId).execute();
      expect(started).toMatchObject([{ state: 'started', twilioSid: null }]);

      await server.crash();
      expect(await db.selectFrom('messages').select(['status', 'twilioSid']).where('id', '=', messageId).executeTakeFirstOrThrow()).toEqual({ status: 'pending', twilioSid: null });
      // The dead worker's lease (60 s) would run out on its own; the test moves that moment to now.
      await db.updateTable('jobs').set({ lockedUntil: Date.now() - 1 }).execute();

      server = await startChildServer(serverEnv, port);
      await eventually(
        async () => (await db.selectFrom('jobs').select('id').where('kind', '=', 'message.send').execute()).length === 0,
        { what: `the send job to finish after the restart\n${server.output()}`, timeoutMs: 20_000 },
      );
      const [sent, ...more] = sentTo(sim, CUSTOMER_PHONE);
      expect(more).toHaveLength(0);
      expect(await db.selectFrom('messages').select(['status', 'twilioSid']).where('id', '=', messageId).executeTakeFirstOrThrow()).toEqual({
        status: 'delivered',
        twilioSid: sent!.sid,
      });
      expect(await db.selectFrom('sendAttempts').select(['state', 'twilioSid']).where('messageId', '=', messageId).execute()).toEqual([
        { state: 'accepted', twilioSid: sent!.sid },
      ]);
    }, 90_000);
  });
}

