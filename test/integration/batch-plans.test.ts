import pg from 'pg';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import twilio from 'twilio';
import { receiveInboundMessage } from '../../src/features/inbound/service.js';
import { inboundParams, WEBHOOK_PATH } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { recordStatements } from '../helpers/statements.js';
import { createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';
import { acceptTogether, advanceAllByCallbacks, type Acceptance } from '../../src/features/outbound/queries.js';
import { completeJobs } from '../../src/jobs/queue.js';
import { mediaOfMessages } from '../../src/features/media/queries.js';

/** Tables that grow with a desk's history: none may be read whole for a batch of webhooks or of sends. */
const GROWING = ['customers', 'conversations', 'messages', 'conversation_labels', 'message_search', 'send_attempts', 'jobs', 'media'];
const HISTORY = 5000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

const wholeTableReads = (node: PlanNode): string[] => [
  ...(node['Node Type'] === 'Seq Scan' && GROWING.includes(node['Relation Name']!) ? [node['Relation Name']!] : []),
  ...(node.Plans ?? []).flatMap(wholeTableReads),
];

/**
 * Issue 18: on PostgreSQL a batch of webhooks finds its rows by key, whatever the planner
 * estimates. A JSON parameter is taken for 100 rows, and against a few thousand rows of history a
 * hash join that reads the whole table is the cheaper plan on paper (src/features/inbound/read-ahead.ts).
 */
for (const engine of ENGINES.filter((e) => e === 'postgres')) {
  describe(`a batch's statements on a desk with history (${engine})`, () => {
    let w: TwilioWorld;
    afterEach(async () => {
      vi.restoreAllMocks();
      await w?.destroy();
    });

    /** 5,000 customers, each with a conversation on the support number, a message in it with its send attempt and a picture, and a label on it; then statistics. */
    async function seedHistory(w: TwilioWorld) {
      const { db } = w.server.ctx;
      const now = Date.now();
      // Every customer with a conversation on the support number, a message in it and a label on it.
      await sql`insert into labels (id, organization_id, name, color, created_at) values ('label-1', ${w.organizationId}, 'vip', '#ff0000', ${now})`.execute(db);
      await sql`insert into customers (id, organization_id, phone, created_at, updated_at, search_text)
        select 'cu-' || g, ${w.organizationId}, '+1500555' || lpad(g::text, 4, '0'), ${now}, ${now}, g::text from generate_series(1, ${HISTORY}) g`.execute(db);
      await sql`insert into conversations (id, organization_id, customer_id, sender_id, status, last_message_at, created_at)
        select 'co-' || g, ${w.organizationId}, 'cu-' || g, ${w.sender.id}, 'open', ${now}::bigint - g, ${now}::bigint - g from generate_series(1, ${HISTORY}) g`.execute(db);
      await sql`insert into messages (id, organization_id, conversation_id, direction, body, status, segments, encoding, twilio_sid, created_at, updated_at)
        select 'me-' || g, ${w.organizationId}, 'co-' || g, 'inbound', 'Where is my order ' || g, 'received', 1, 'GSM-7', 'SM' || md5(g::text), ${now}::bigint - g, ${now}::bigint - g
        from generate_series(1, ${HISTORY}) g`.execute(db);
      await sql`insert into conversation_labels (conversation_id, label_id, organization_id) select 'co-' || g, 'label-1', ${w.organizationId} from generate_series(1, ${HISTORY}) g`.execute(db);
      await sql`insert into send_attempts (id, message_id, organization_id, state, twilio_sid, started_at, finished_at)
        select 'at-' || g, 'me-' || g, ${w.organizationId}, 'accepted', 'SM' || md5(g::text), ${now}::bigint - g, ${now}::bigint - g from generate_series(1, ${HISTORY}) g`.execute(db);
      await sql`insert into media (id, organization_id, message_id, content_type, size, status, position, created_at)
        select 'md-' || g, ${w.organizationId}, 'me-' || g, 'image/png', 10, 'ready', 0, ${now} from generate_series(1, ${HISTORY}) g`.execute(db);
      for (const table of GROWING) await sql`analyze ${sql.table(table)}`.execute(db);
    }

    it('read no table of customers, conversations, messages or labels whole, with the statistics of 5,000 of each', async () => {
      w = await createTwilioWorld(engine);
      await seedHistory(w);

      const sent: { text: string; values: unknown[] }[] = [];
      const query = pg.Client.prototype.query;
      vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
        const [first, second] = args as [string | { text: string; values?: unknown[] }, unknown[] | undefined];
        const text = typeof first === 'string' ? first : first.text;
        if (/json_(to|populate)_recordset/.test(text)) sent.push({ text, values: (typeof first === 'string' ? second : first.values) ?? [] });
        return (query as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof query);

      // Known customers (one of them twice) and new ones, handed in together as the route hands them: one batch.
      const texts = [1, 2, 3, 4, 4, 9001, 9002, 9003].map((n, i) => inboundParams(w, { From: `+1500555${String(n).padStart(4, '0')}`, Body: `text ${i}` }));
      const outcomes = await Promise.all(
        texts.map((params) =>
          receiveInboundMessage(w.server.ctx, { path: WEBHOOK_PATH, params, signature: twilio.getExpectedTwilioSignature(w.account.authToken, w.publicUrl + WEBHOOK_PATH, params) }),
        ),
      );
      expect(outcomes).toEqual(texts.map(() => 'stored'));
      vi.restoreAllMocks();

      // The two reads ahead, and the held writes with their update of the conversations' activity.
      expect(sent.some((s) => s.text.includes('for update of c'))).toBe(true);
      expect(sent.some((s) => s.text.includes('with wanted as'))).toBe(true);
      expect(sent.some((s) => /update conversations set/.test(s.text))).toBe(true);
      const reads: string[] = [];
      for (const { text, values } of sent) for (const table of wholeTableReads(await genericPlan(w, text, values))) reads.push(`${table} in: ${text.replace(/\s+/g, ' ').slice(0, 60)}`);
      expect(reads).toEqual([]);
    });

    it('read the messages of sends claimed together by key (src/features/outbound/queries.ts)', async () => {
      w = await createTwilioWorld(engine);
      await seedHistory(w);
      await w.server.runner!.stop();
      for (let i = 0; i < 8; i++) {
        expect((await w.agent.api.post('/api/conversations', { senderId: w.sender.id, phone: `+1500555${String(i + 1).padStart(4, '0')}`, body: `Order ${i} shipped` })).status).toBe(202);
      }
      const sent: { text: string; values: unknown[] }[] = [];
      const query = pg.Client.prototype.query;
      vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
        const [first] = args as [string | { text: string; values?: unknown[] }];
        if (typeof first !== 'string' && /from "messages" as "m"/.test(first.text) && first.text.includes('any(')) sent.push({ text: first.text, values: first.values ?? [] });
        return (query as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof query);
      expect(await w.server.runner!.drain()).toBe(8);
      vi.restoreAllMocks();

      expect(sent).toHaveLength(1);
      expect(wholeTableReads(await genericPlan(w, sent[0]!.text, sent[0]!.values))).toEqual([]);
    });

    it("accept sends and move messages by their callbacks together by key, with 5,000 jobs waiting (src/features/outbound/queries.ts)", async () => {
      w = await createTwilioWorld(engine);
      await seedHistory(w);
      const { db } = w.server.ctx;
      await sql`insert into jobs (id, kind, payload, status, run_at, attempts, created_at, locked_by)
        select 'jo-' || g, 'message.send', '{}', 'pending', 1, 0, 1, 'worker-1' from generate_series(1, ${HISTORY}) g`.execute(db);
      await sql`analyze jobs`.execute(db);
      await sql`update messages set direction = 'outbound', status = 'pending', twilio_sid = null where id = 'me-1'`.execute(db);
      await sql`update send_attempts set state = 'started', twilio_sid = null where id = 'at-1'`.execute(db);
      await sql`update messages set direction = 'outbound', status = 'sent' where id = 'me-2'`.execute(db);
      const { sent, stop } = recordStatements();
      const now = Date.now();
      const acceptance: Acceptance = { attemptId: 'at-1', messageId: 'me-1', next: 'queued', changes: { twilioSid: 'SM' + '1'.repeat(32), now }, job: { id: 'jo-1', lockedBy: 'worker-1' } };
      const [attempt2] = await db.selectFrom('sendAttempts').select('twilioSid').where('id', '=', 'at-2').execute();
      await db.transaction().execute(async (tx) => {
        await acceptTogether(db, acceptance)!.step(tx, [acceptance]);
        const moved = await advanceAllByCallbacks(tx, 'delivered', [{ attemptId: 'at-2', sid: attempt2!.twilioSid!, organizationId: w.organizationId, now }]);
        expect([...moved.keys()]).toEqual(['at-2']);
      });
      stop();
      expect(await db.selectFrom('messages').select(['id', 'status']).where('id', 'in', ['me-1', 'me-2']).orderBy('id').execute()).toEqual([
        { id: 'me-1', status: 'queued' },
        { id: 'me-2', status: 'delivered' },
      ]);
      expect(await db.selectFrom('jobs').select('id').where('id', '=', 'jo-1').execute()).toEqual([]);
      const together = sent.filter((s) => s.text.includes('json_to_recordset'));
      expect(together).toHaveLength(2);
      for (const { text, values } of together) expect(wholeTableReads(await genericPlan(w, text, values))).toEqual([]);
    });

    it("finish a worker's jobs and read several messages' media by key, one statement each, with 5,000 jobs and pictures (src/db/prepared.ts)", async () => {
      w = await createTwilioWorld(engine);
      await seedHistory(w);
      await w.server.runner!.stop();
      const { db } = w.server.ctx;
      await sql`insert into jobs (id, kind, payload, status, run_at, attempts, created_at, locked_by)
        select 'jo-' || g, 'media.download', '{}', 'pending', 1, 0, 1, 'worker-1' from generate_series(1, ${HISTORY}) g`.execute(db);
      await sql`analyze jobs`.execute(db);
      const { sent, stop } = recordStatements();
      await completeJobs(db, 'worker-1', ['jo-1', 'jo-2', 'jo-3']);
      // Another worker's job is not this worker's to finish.
      await completeJobs(db, 'worker-2', ['jo-4']);
      const media = await mediaOfMessages(db, ['me-7', 'me-5']);
      stop();
      expect((await db.selectFrom('jobs').select('id').where('id', 'in', ['jo-1', 'jo-2', 'jo-3', 'jo-4']).execute()).map((j) => j.id)).toEqual(['jo-4']);
      expect(media.map((m) => m.id).sort()).toEqual(['md-5', 'md-7']);
      const byList = sent.filter((s) => s.text.includes('any('));
      expect(byList).toHaveLength(3);
      for (const { text, values } of byList) expect(wholeTableReads(await genericPlan(w, text, values))).toEqual([]);
    });
  });
}

/** The plan a connection keeps for this statement once prepared (its generic plan), for these parameters. */
async function genericPlan(w: TwilioWorld, text: string, values: unknown[]): Promise<PlanNode> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL, options: `-c search_path=${w.server.ctx.database.pgSchema}` });
  await client.connect();
  try {
    await client.query('set plan_cache_mode = force_generic_plan');
    // PREPARE, unlike a named statement of the protocol, plans without running it.
    await client.query(`prepare batch as ${text}`);
    const literals = values.map((v) => client.escapeLiteral(Array.isArray(v) ? `{${v.join(',')}}` : String(v))).join(', ');
    const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`explain (format json) execute batch(${literals})`);
    return rows[0]!['QUERY PLAN'][0].Plan;
  } finally {
    await client.end();
  }
}
