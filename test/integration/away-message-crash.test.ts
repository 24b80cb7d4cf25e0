import { afterEach, describe, expect, it } from 'vitest';
import type { CreateFault } from '../../src/simulator/faults.js';
import { startSimulator } from '../../src/simulator/index.js';
import { eventually } from '../helpers/api.js';
import { startChildServer, type ChildServer } from '../helpers/child-server.js';
import { connectWorld, storage } from '../helpers/crash-world.js';
import { sentTo } from '../helpers/outbound.js';
import { ENGINES, TEST_SECRET } from '../helpers/server.js';
import { CUSTOMER_PHONE, freePort, SUPPORT_NUMBER } from '../helpers/twilio-world.js';

/*
 * docs/rules.md#business-hours-and-away-message: the away reply commits with the inbound message
 * that triggered it, so a server killed (SIGKILL) after that commit neither loses the reply nor
 * sends it twice. Killed once while Twilio hangs before creating the message, once after Twilio
 * created it; after a restart the phone has exactly one away reply.
 */
const AWAY = 'We are closed; we will answer in the morning.';

for (const engine of ENGINES) {
  describe(`the away reply across a crash (${engine})`, () => {
    const cleanup: (() => Promise<void> | void)[] = [];
    afterEach(async () => {
      for (const step of cleanup.reverse()) await step();
      cleanup.length = 0;
    });

    const cases: [string, CreateFault][] = [
      ['before Twilio created the reply', 'timeout'],
      ['after Twilio created the reply, before Parley recorded it', 'accept-then-timeout'],
    ];
    for (const [moment, fault] of cases) {
      it(`sends it exactly once when the server dies ${moment}`, async () => {
        const sim = await startSimulator();
        cleanup.push(() => sim.stop());
        const { env, database } = await storage(engine, cleanup);
        const port = await freePort();
        const serverEnv = { ...env, APP_SECRET: TEST_SECRET, TWILIO_API_URL: sim.url, TWILIO_MESSAGING_API_URL: sim.url, SEND_RECHECK_SECONDS: '1' };

        let server: ChildServer = await startChildServer(serverEnv, port);
        cleanup.push(() => server.stop());
        const { token } = await connectWorld(server, sim, database());
        // No opening hours at all: every moment is outside them.
        const settings = await fetch(`${server.url}/api/settings`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ businessHours: { timezone: 'America/New_York', weekly: [] }, awayMessage: AWAY }),
        });
        expect(settings.status).toBe(200);

        sim.setFaults({ nextCreateFaults: [fault], hangMs: 120_000, dropStatusCallbacks: true });
        const sent = await sim.phoneSend({ from: CUSTOMER_PHONE, to: SUPPORT_NUMBER, body: 'Hello? Anyone there at this hour?' });
        expect(sent.webhookStatus).toBe(200);
        const db = database().db;
        // The attempt is recorded before Twilio is called: wait until the call has reached Twilio too,
        // or the crash would come before it and the restarted server's call would meet the fault.
        await eventually(async () => (await db.selectFrom('sendAttempts').select('state').execute()).length === 1 && sim.faults.nextCreateFaults.length === 0, {
          what: 'the away reply to be mid-send at Twilio',
        });

        await server.crash();
        const [reply] = await db.selectFrom('messages').select(['id', 'status', 'automatic']).where('direction', '=', 'outbound').execute();
        expect(reply).toMatchObject({ status: 'pending', automatic: 1 });
        // The dead worker's lease (60 s) would run out on its own; the test moves that moment to now.
        await db.updateTable('jobs').set({ lockedUntil: Date.now() - 1 }).execute();
        sim.setFaults({ dropStatusCallbacks: false });

        server = await startChildServer(serverEnv, port);
        await eventually(async () => (await db.selectFrom('jobs').select('id').where('kind', '=', 'message.send').execute()).length === 0, {
          what: `the away reply's send job to finish after the restart\n${server.output()}`,
          timeoutMs: 20_000,
        });
        const replies = sentTo(sim, CUSTOMER_PHONE);
        expect(replies.map((m) => m.body)).toEqual([AWAY]);
        expect(await db.selectFrom('messages').select(['twilioSid']).where('id', '=', reply!.id).executeTakeFirstOrThrow()).toEqual({ twilioSid: replies[0]!.sid });

        // The conversation had its away reply: a second text gets none.
        expect((await sim.phoneSend({ from: CUSTOMER_PHONE, to: SUPPORT_NUMBER, body: 'Hello again' })).webhookStatus).toBe(200);
        expect(await db.selectFrom('messages').select('id').where('automatic', '=', 1).execute()).toHaveLength(1);
      }, 90_000);
    }
  });
}
