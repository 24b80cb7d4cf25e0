import { afterEach, describe, expect, it, vi } from 'vitest';
import { SEND_JOB } from '../../src/features/outbound/send-job.js';
import { eventually } from '../helpers/api.js';
import { messageRow } from '../helpers/outbound.js';
import { ENGINES } from '../helpers/server.js';
import { recordStatements, type SentStatement } from '../helpers/statements.js';
import { createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';

/**
 * What a send costs in statements, where PostgreSQL makes each one a round trip: the sends the
 * runner claims together read their messages in one statement, and each send job ends in the
 * commit of Twilio's acceptance instead of a DELETE of its own afterwards.
 */
for (const engine of ENGINES) {
  describe(`sends claimed together (${engine})`, () => {
    let world: TwilioWorld;
    afterEach(async () => {
      vi.restoreAllMocks();
      await world?.destroy();
    });

    /** Eight texts queued with the worker stopped, from a sender at `ratePerSecond`, to numbers from +1415555`firstPhone`. */
    async function eightQueued(ratePerSecond: number, firstPhone: number) {
      await world.server.ctx.db.updateTable('senders').set({ ratePerSecond }).where('id', '=', world.sender.id).execute();
      const runner = world.server.runner!;
      await runner.stop();
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const res = await world.agent.api.post('/api/conversations', { senderId: world.sender.id, phone: `+1415555${String(firstPhone + i)}`, body: `Order ${i} shipped` });
        expect(res.status).toBe(202);
        ids.push(res.body.message.id as string);
      }
      return { runner, ids };
    }

    it('read their messages in one statement and end their jobs with their acceptance', async () => {
      world = await createTwilioWorld(engine);
      // Callbacks stay out of it: only the sends' own statements are counted.
      world.sim.setFaults({ dropStatusCallbacks: true });
      // A rate that gives all eight a slot at once (a long code's own would space them a second apart).
      const { runner, ids } = await eightQueued(100, 1000);

      const statements = recordStatements();
      expect(await runner.drain()).toBe(8);
      statements.stop();
      const sent = statements.sent.map((s) => s.text);

      for (const id of ids) expect(await messageRow(world, id)).toMatchObject({ status: 'queued', twilioSid: expect.stringMatching(/^SM/) });
      const jobs = await world.server.ctx.db.selectFrom('jobs').select('id').where('kind', '=', SEND_JOB).execute();
      expect(jobs).toEqual([]);
      if (engine === 'postgres') {
        // The one read of all eight messages, and no job deleted on its own.
        const reads = sent.filter((text) => /from "messages" as "m"/.test(text) && text.includes('any('));
        expect(reads).toHaveLength(1);
        expect(sent.filter((text) => text.startsWith('delete from "jobs"'))).toEqual([]);
        // Each acceptance ends its job: alone, or with others that arrived together (as under load).
        expect(acceptances(statements.sent).total).toBe(8);
      }
      await eventually(() => world.sim.messages().length === 8, { what: 'Twilio to hold the eight texts' });
    });

    it("accept Twilio's answers that arrive together in one statement, each attempt and job once", async () => {
      world = await createTwilioWorld(engine);
      // Twilio answers every send 300 ms after it was asked, and the sends start a millisecond
      // apart (the least a slot costs): the eight answers arrive within a few milliseconds.
      world.sim.setFaults({ dropStatusCallbacks: true, responseMs: 300 });
      const { runner, ids } = await eightQueued(1000, 2000);
      const { sent, stop } = recordStatements();
      expect(await runner.drain()).toBe(8);
      stop();

      for (const id of ids) expect(await messageRow(world, id)).toMatchObject({ status: 'queued', twilioSid: expect.stringMatching(/^SM/) });
      const attempts = await world.server.ctx.db.selectFrom('sendAttempts').select(['messageId', 'state']).where('messageId', 'in', ids).execute();
      expect(attempts.map((a) => a.state).sort()).toEqual(Array(8).fill('accepted'));
      expect(new Set(attempts.map((a) => a.messageId)).size).toBe(8);
      expect(await world.server.ctx.db.selectFrom('jobs').select('id').where('kind', '=', SEND_JOB).execute()).toEqual([]);
      if (engine === 'postgres') {
        // Every answer accepted once, one way or the other, and several of them in one statement.
        const { total, together } = acceptances(sent);
        expect(total).toBe(8);
        expect(Math.max(0, ...together)).toBeGreaterThanOrEqual(2);
      }
      expect(world.sim.messages()).toHaveLength(8);
    });
  });
}

/**
 * The acceptances in these statements, each of which ends its send job: one a statement when
 * alone, and in a statement of answers that arrived together as many as its JSON rows (`together`).
 */
function acceptances(sent: SentStatement[]): { total: number; together: number[] } {
  const alone = sent.filter(({ text }) => /with "settled" as .* "finished" as \(delete from "jobs"/.test(text)).length;
  const together = sent
    .filter(({ text }) => text.startsWith('with input as (select * from json_to_recordset($1::json) as i(attempt_id') && text.includes('delete from jobs'))
    .map(({ values }) => (JSON.parse(values[0] as string) as unknown[]).length);
  return { total: alone + together.reduce((a, b) => a + b, 0), together };
}
