import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SEND_JOB } from '../../src/features/outbound/send-job.js';
import { eventually } from '../helpers/api.js';
import { messageRow } from '../helpers/outbound.js';
import { ENGINES } from '../helpers/server.js';
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

    it('read their messages in one statement and end their jobs with their acceptance', async () => {
      world = await createTwilioWorld(engine);
      // Callbacks stay out of it: only the sends' own statements are counted.
      world.sim.setFaults({ dropStatusCallbacks: true });
      // A rate that gives all eight a slot at once (a long code's own would space them a second apart).
      await world.server.ctx.db.updateTable('senders').set({ ratePerSecond: 100 }).where('id', '=', world.sender.id).execute();
      const runner = world.server.runner!;
      await runner.stop();
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const res = await world.agent.api.post('/api/conversations', { senderId: world.sender.id, phone: `+1415555${String(1000 + i)}`, body: `Order ${i} shipped` });
        expect(res.status).toBe(202);
        ids.push(res.body.message.id);
      }

      const sent: string[] = [];
      const query = pg.Client.prototype.query;
      vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
        const [first] = args as [string | { text: string }];
        sent.push(typeof first === 'string' ? first : first.text);
        return (query as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof query);
      expect(await runner.drain()).toBe(8);
      vi.restoreAllMocks();

      for (const id of ids) expect(await messageRow(world, id)).toMatchObject({ status: 'queued', twilioSid: expect.stringMatching(/^SM/) });
      const jobs = await world.server.ctx.db.selectFrom('jobs').select('id').where('kind', '=', SEND_JOB).execute();
      expect(jobs).toEqual([]);
      if (engine === 'postgres') {
        // The one read of all eight messages, and no job deleted on its own.
        const reads = sent.filter((text) => /from "messages" as "m"/.test(text) && text.includes('any('));
        expect(reads).toHaveLength(1);
        expect(sent.filter((text) => text.startsWith('delete from "jobs"'))).toEqual([]);
        expect(sent.filter((text) => /with "settled" as .* "finished" as \(delete from "jobs"/.test(text))).toHaveLength(8);
      }
      await eventually(() => world.sim.messages().length === 8, { what: 'Twilio to hold the eight texts' });
    });
  });
}
