import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSnapshot } from '../../src/db/database.js';
import { queryWords } from '../../src/domain/message-search.js';
import { insertConversation, insertMessage } from '../../src/features/conversations/queries.js';
import { findOrCreateCustomerLocked } from '../../src/features/customers/service.js';
import { searchMessages } from '../../src/features/search/queries.js';
import { newId } from '../../src/ids.js';
import { apiClient } from '../helpers/api.js';
import { inboundParams, manualClock, postWebhook } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';
import { PASSWORD } from '../helpers/world.js';

/** docs/rules.md#searching-messages, through GET /api/search. */
for (const engine of ENGINES) {
  describe(`message search (${engine})`, () => {
    let w: TwilioWorld;
    let clock: ReturnType<typeof manualClock>;
    beforeEach(async () => {
      clock = manualClock();
      w = await createTwilioWorld(engine, { clock, env: { ALLOW_SIGNUP: 'true' } });
    });
    afterEach(() => w.destroy());

    const text = async (body: string, from?: string) => {
      clock.advance(60_000);
      expect((await postWebhook(w, inboundParams(w, { Body: body, ...(from ? { From: from } : {}) }))).status).toBe(200);
    };
    const search = (q: string, extra = '', api = w.agent.api) => api.get(`/api/search?q=${encodeURIComponent(q)}${extra}`);
    const bodies = async (q: string) => {
      const res = await search(q);
      expect(res.status, `${q}: ${JSON.stringify(res.body)}`).toBe(200);
      return (res.body.items as any[]).map((r) => r.message.body);
    };

    it('finds words by their start, in any case and without accents, newest first, with the words marked', async () => {
      await text('Where is my REFUND? Order 4417');
      await text('Herr Müller says the parcel arrived', '+14155550123');
      await text('Unrelated: thanks for the help');

      expect(await bodies('refun')).toEqual(['Where is my REFUND? Order 4417']);
      expect(await bodies('muller')).toEqual(['Herr Müller says the parcel arrived']);
      expect(await bodies('MÜLL')).toEqual(['Herr Müller says the parcel arrived']);
      expect(await bodies('441')).toEqual(['Where is my REFUND? Order 4417']);
      // Every word must match, each at the start of a word.
      expect(await bodies('parcel herr')).toEqual(['Herr Müller says the parcel arrived']);
      expect(await bodies('parcel refund')).toEqual([]);
      expect(await bodies('efund')).toEqual([]);
      expect(await bodies('the')).toEqual(['Unrelated: thanks for the help', 'Herr Müller says the parcel arrived']);

      const [result] = (await search('muller arr')).body.items;
      expect(result.message).toMatchObject({ direction: 'inbound', body: 'Herr Müller says the parcel arrived', status: 'received', media: [] });
      expect(result.conversation).toMatchObject({ status: 'open', customer: { phone: '+14155550123', name: null } });
      expect(result.conversation.id).toBe(result.message.conversationId);
      expect(result.snippet).toEqual({ text: 'Herr Müller says the parcel arrived', highlights: [[5, 11], [28, 35]] });
    });

    it('finds a message or note the moment it is stored', async () => {
      await text('First contact');
      const conversation = (await w.agent.api.get('/api/conversations')).body.items[0];
      const note = await w.agent.api.post(`/api/conversations/${conversation.id}/notes`, { body: 'Escalated to the warehouse team' });
      expect(note.status).toBe(201);
      const [found] = (await search('warehouse')).body.items;
      expect(found.message).toMatchObject({ id: note.body.id, direction: 'note', status: null, authorId: w.agent.id });

      const reply = await w.agent.api.post(`/api/conversations/${conversation.id}/messages`, { body: 'Your voucher code is ZEBRA42' });
      expect(reply.status).toBe(202);
      expect(await bodies('zebra42')).toEqual(['Your voucher code is ZEBRA42']);
    });

    it("never finds another organization's messages", async () => {
      await text('Our shipment is late');
      const signup = await w.anonymous.post('/api/signup', { orgName: 'Other', name: 'Olga', email: 'olga@other.test', password: PASSWORD });
      const stranger = apiClient(w.server.app, signup.body.token);
      const organizationId = signup.body.organization.id as string;
      const sender = await w.server.ctx.db.selectFrom('senders').select('id').executeTakeFirstOrThrow();
      await w.server.ctx.db.transaction().execute(async (tx) => {
        const now = clock.now();
        const customer = await findOrCreateCustomerLocked(tx, organizationId, '+14155550177', now);
        const conversationId = newId(now);
        await insertConversation(tx, { id: conversationId, organizationId, customerId: customer.id, senderId: sender.id, status: 'open', assigneeId: null, lastMessageAt: now, lastInboundAt: now, preview: '', createdAt: now });
        await insertMessage(tx, { id: newId(now), organizationId, conversationId, direction: 'inbound', body: 'Their shipment is late', status: 'received', errorCode: null, errorMessage: null, segments: 1, encoding: 'GSM-7', twilioSid: null, authorId: null, createdAt: now, updatedAt: now });
      });
      expect(await bodies('shipment')).toEqual(['Our shipment is late']);
      expect(((await search('shipment', '', stranger)).body.items as any[]).map((r) => r.message.body)).toEqual(['Their shipment is late']);
      expect((await search('our', '', stranger)).body.items).toEqual([]);
    });

    it('reads every character of the query as text, never as syntax', async () => {
      await text('50% off_season "special" deal: NEAR the AND gate - ok?');
      await text('Plain words only');
      for (const q of ['%', '_', '%_', '"', '" OR "', "'", "''", ':*', 'a:*', '&|!', '!', '(', ')', '*', '-', '-plain', 'NEAR', 'NEAR(', 'AND', 'OR', 'NOT', '\\', '^', '{', 'body:', 'organization:']) {
        const res = await search(q);
        expect(res.status, `${q}: ${JSON.stringify(res.body)}`).toBe(200);
      }
      expect(await bodies('50%')).toEqual(['50% off_season "special" deal: NEAR the AND gate - ok?']);
      expect(await bodies('off_seas')).toEqual(['50% off_season "special" deal: NEAR the AND gate - ok?']);
      expect(await bodies('"special"')).toEqual(['50% off_season "special" deal: NEAR the AND gate - ok?']);
      expect(await bodies('near and')).toEqual(['50% off_season "special" deal: NEAR the AND gate - ok?']);
      expect(await bodies('-plain')).toEqual(['Plain words only']);
      expect(await bodies('plain:*')).toEqual(['Plain words only']);
      expect(await bodies('plain & only | !x')).toEqual([]);
      expect(await bodies('%%%')).toEqual([]);
      expect(await bodies('pla\u0000in')).toEqual(['Plain words only']);
      expect(await bodies('\u0000plain\u001b')).toEqual(['Plain words only']);
    });

    it('refuses an empty query, naming q', async () => {
      for (const q of ['', '   ', '\u0000', '\u200b\t']) {
        const res = await search(q);
        expect(res.status, JSON.stringify(q)).toBe(422);
        expect(res.body).toMatchObject({ error: { code: 'validation_failed', field: 'q' } });
      }
      const missing = await w.agent.api.get('/api/search');
      expect(missing.status).toBe(422);
      expect(missing.body.error.field).toBe('q');
      expect((await w.agent.api.get('/api/search?q=x&limit=51')).body.error.field).toBe('limit');
      expect((await w.agent.api.get('/api/search?q=x&cursor=nope')).body.error.field).toBe('cursor');
      expect((await w.anonymous.get('/api/search?q=x')).status).toBe(401);
    });

    it('pages through every match exactly once, even as new ones arrive', async () => {
      for (let i = 0; i < 7; i++) await text(`Ticket number ${i}`);
      // Messages in the same millisecond (a minute after the last): ties are broken, not lost.
      clock.advance(60_000);
      for (let i = 7; i < 10; i++) expect((await postWebhook(w, inboundParams(w, { Body: `Ticket number ${i}` }))).status).toBe(200);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await search('ticket', `&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(res.status).toBe(200);
        seen.push(...(res.body.items as any[]).map((r) => r.message.body));
        cursor = res.body.nextCursor;
        if (pages++ === 0) await text('Ticket number 10, newer than the first page');
      } while (cursor);
      // Newest first; the three of one millisecond in some order of their own, each once.
      expect([...seen.slice(0, 3)].sort()).toEqual([7, 8, 9].map((i) => `Ticket number ${i}`));
      expect(seen.slice(3)).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `Ticket number ${i}`));
    });

    // Both engines walk the newest messages and turn to the index for the whole words when the
    // walk runs out (src/features/search/queries.ts): every length of walk gives the same pages.
    it('gives the same pages whether the newest-first walk fills them or the index does', async () => {
        for (let i = 0; i < 5; i++) await text(`Alpha beta ${i}`);
        await text('Gamma alpha');
        await text('Gamma alphabet');
        // Holds the start of "gamma" and "alphab": the whole words are checked whichever plan finds it.
        await text('Gambit alphabetical');
        // SQLite walks the rows of a word's first three characters: these hold "alp" and "bet" but neither word.
        await text('Alpine betting');
        await text('Beta only');
        await text('Beta again');
        await text('RE\u0301SUME\u0301 of O’Neil’s account');
        // SQLite's index keeps a Greek accent: no plan may find by its walk what the index would not.
        await text('Ελληνικά μαθήματα');
        const organizationId = (await w.server.ctx.db.selectFrom('organizations').select('id').executeTakeFirstOrThrow()).id;
        const pages = async (q: string, walkRows: number | undefined) => {
          const seen: string[] = [];
          let after: { at: number; id: string } | undefined;
          for (;;) {
            const rows = await readSnapshot(w.server.ctx.db, (tx) => searchMessages(tx, { organizationId, words: queryWords(q), after, limit: 2, walkRows }));
            seen.push(...rows.map((m) => m.body));
            if (rows.length < 2) return seen;
            after = { at: rows[1]!.createdAt, id: rows[1]!.id };
          }
        };
        const expected = {
          alph: ['Gambit alphabetical', 'Gamma alphabet', 'Gamma alpha', ...[4, 3, 2, 1, 0].map((i) => `Alpha beta ${i}`)],
          'alpha beta': [4, 3, 2, 1, 0].map((i) => `Alpha beta ${i}`),
          'beta gamma': [],
          'gamma alphab': ['Gamma alphabet'],
          // Folded as the index folds: accents dropped (here written as marks of their own), an apostrophe between words.
          'résumé neil': ['RE\u0301SUME\u0301 of O’Neil’s account'],
          'resume oneil': [],
          'ελληνικα μαθη': engine === 'postgres' ? ['Ελληνικά μαθήματα'] : [],
        };
        // 1: every page falls back to the index, looking up the word rarest in the walk alone;
        // 4: for "alpha beta" each word holds a page of the walk but not both, so the index is
        // asked for both; 6 and more: some pages are filled by the walk.
        for (const walkRows of [1, 4, 6, 7, undefined]) {
          for (const [q, bodies] of Object.entries(expected)) expect(await pages(q, walkRows), `${q}, walk of ${walkRows}`).toEqual(bodies);
        }
        if (engine !== 'postgres') return;
        // Each plan turns one of the planner's off for its own statement; the rest of the read plans freely.
        const settings = await readSnapshot(w.server.ctx.db, async (tx) => {
          await searchMessages(tx, { organizationId, words: ['alpha', 'beta'], limit: 2, walkRows: 1 });
          return (await sql<{ sort: string; seqscan: string }>`select current_setting('enable_sort') as sort, current_setting('enable_seqscan') as seqscan`.execute(tx)).rows[0];
        });
        expect(settings).toEqual({ sort: 'on', seqscan: 'on' });
      });
  });
}
