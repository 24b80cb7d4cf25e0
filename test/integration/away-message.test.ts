import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/api.js';
import { inboundParams, postWebhook, recordEvents } from '../helpers/inbound.js';
import { sentTo } from '../helpers/outbound.js';
import { ENGINES } from '../helpers/server.js';
import { CUSTOMER_PHONE, createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';

/*
 * docs/rules.md#business-hours-and-away-message: outside business hours the first message of a
 * conversation gets the away message once, through the normal send queue, marked automatic.
 * The server's clock runs from Wednesday 2026-01-07 noon (UTC) unless a test moves it: it keeps
 * running, so the send job's own waits come due.
 */
const WEDNESDAY_NOON = Date.UTC(2026, 0, 7, 12);
const AWAY = "Thanks for your message! We're closed now and will answer from 9am.";
const NINE_TO_FIVE = { timezone: 'Europe/Berlin', weekly: [1, 2, 3, 4, 5].map((day) => ({ day, open: '09:00', close: '17:00' })) };

for (const engine of ENGINES) {
  describe(`business hours and the away message (${engine})`, () => {
    let w: TwilioWorld;
    let clock: ReturnType<typeof runningClock>;
    beforeEach(async () => {
      clock = runningClock(WEDNESDAY_NOON);
      w = await createTwilioWorld(engine, { clock });
    });
    afterEach(async () => {
      await w.destroy();
    });

    const setHours = async (businessHours: unknown, awayMessage: string | null = AWAY) => {
      const res = await w.admin.api.patch('/api/settings', { businessHours, awayMessage });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.organization;
    };
    const text = async (Body: string, From = CUSTOMER_PHONE) => expect((await postWebhook(w, inboundParams(w, { From, Body }))).status).toBe(200);
    const automaticMessages = () => w.server.ctx.db.selectFrom('messages').selectAll().where('automatic', '=', 1).execute();
    const threadOf = async (phone = CUSTOMER_PHONE) => {
      const inbox = await w.agent.api.get(`/api/conversations?q=${encodeURIComponent(phone)}`);
      return (await w.agent.api.get(`/api/conversations/${inbox.body.items[0].id}/messages`)).body.items;
    };

    it('saves the settings, shows them on the organization, and clears them with null', async () => {
      const organization = await setHours(NINE_TO_FIVE);
      expect(organization).toMatchObject({ businessHours: NINE_TO_FIVE, awayMessage: AWAY });
      expect((await w.agent.api.get('/api/me')).body.organization).toMatchObject({ businessHours: NINE_TO_FIVE, awayMessage: AWAY });
      expect(await setHours(null, null)).toMatchObject({ businessHours: null, awayMessage: null });
    });

    it('refuses an unknown time zone, a range that ends before it starts, a bad day and an over-long message, naming the field', async () => {
      const refusals: [unknown, string][] = [
        [{ businessHours: { timezone: 'Europe/Atlantis', weekly: [] } }, 'businessHours.timezone'],
        [{ businessHours: { timezone: 'UTC', weekly: [{ day: 1, open: '17:00', close: '09:00' }] } }, 'businessHours.weekly.0'],
        [{ businessHours: { timezone: 'UTC', weekly: [{ day: 1, open: '09:00', close: '17:00' }, { day: 9, open: '09:00', close: '17:00' }] } }, 'businessHours.weekly.1'],
        [{ awayMessage: 'x'.repeat(1601) }, 'awayMessage'],
      ];
      for (const [body, field] of refusals) {
        const res = await w.admin.api.patch('/api/settings', body);
        expect(res.status, field).toBe(422);
        expect(res.body.error.message.startsWith(`${field}:`), res.body.error.message).toBe(true);
      }
      expect((await w.agent.api.patch('/api/settings', { awayMessage: AWAY })).status).toBe(403);
    });

    it('inside business hours stores the message and sends nothing', async () => {
      await setHours(NINE_TO_FIVE); // Wednesday 13:00 in Berlin
      await text('Hello, are you there?');
      expect(await automaticMessages()).toEqual([]);
      expect(await w.server.ctx.db.selectFrom('jobs').selectAll().where('kind', '=', 'message.send').execute()).toEqual([]);
    });

    it('outside business hours answers once with the away message, marked automatic, and the customer receives it', async () => {
      clock.set(Date.UTC(2026, 0, 7, 17, 30)); // Wednesday 18:30 in Berlin
      await setHours(NINE_TO_FIVE);
      const rec = recordEvents(w);
      await text('Hello, anyone?');
      const [reply] = await eventually(() => sentTo(w.sim, CUSTOMER_PHONE).length === 1 && sentTo(w.sim, CUSTOMER_PHONE), { what: 'the away reply at the phone' });
      expect(reply).toMatchObject({ body: AWAY, from: w.sender.phoneNumber });
      const thread = await eventually(async () => {
        const t = await threadOf();
        return t[1]?.status === 'delivered' && t;
      }, { what: 'the away reply to be delivered' });
      expect(thread.map((m: any) => [m.direction, m.body, m.automatic, m.authorId])).toEqual([
        ['inbound', 'Hello, anyone?', false, null],
        ['outbound', AWAY, true, null],
      ]);
      await rec.settle();
      expect(rec.ofType('message.created').map((e) => [e.data.body, e.data.automatic])).toEqual([
        ['Hello, anyone?', false],
        [AWAY, true],
      ]);
      // The inbox still shows what the customer wrote, unread.
      const inbox = await w.agent.api.get('/api/conversations');
      expect(inbox.body.items[0]).toMatchObject({ preview: 'Hello, anyone?', unread: true });
      rec.stop();

      await text('Still there?');
      expect(await automaticMessages()).toHaveLength(1);
    });

    it('keeps a day without hours closed', async () => {
      clock.set(Date.UTC(2026, 0, 10, 11)); // Saturday noon in Berlin
      await setHours(NINE_TO_FIVE);
      await text('Weekend question');
      expect(await automaticMessages()).toHaveLength(1);
    });

    it('answers once when three texts of one customer arrive together', async () => {
      clock.set(Date.UTC(2026, 0, 7, 22)); // Wednesday 23:00 in Berlin
      await setHours(NINE_TO_FIVE);
      const statuses = await Promise.all(['one', 'two', 'three'].map((Body) => postWebhook(w, inboundParams(w, { From: CUSTOMER_PHONE, Body }))));
      expect(statuses.map((s) => s.status)).toEqual([200, 200, 200]);
      expect(await automaticMessages()).toHaveLength(1);
      await eventually(async () => (await w.server.ctx.db.selectFrom('jobs').selectAll().where('kind', '=', 'message.send').execute()).length === 0, { what: 'the send job to finish' });
      expect(sentTo(w.sim, CUSTOMER_PHONE)).toHaveLength(1);
    });

    it('answers again in a new conversation, and for each customer', async () => {
      clock.set(Date.UTC(2026, 0, 7, 22));
      await setHours(NINE_TO_FIVE);
      await text('first night');
      await text('other customer', '+14155550123');
      clock.advance(48 * 3_600_000); // Friday 23:00: past the threading window, a new conversation
      await text('second night');
      expect(await automaticMessages()).toHaveLength(3);
    });

    it('sends nothing without an away message, or without business hours', async () => {
      clock.set(Date.UTC(2026, 0, 7, 22));
      await setHours(NINE_TO_FIVE, null);
      await text('no message set');
      await setHours(null, AWAY);
      await text('no hours set');
      expect(await automaticMessages()).toEqual([]);
    });

    it('never answers a customer who opted out, nor the STOP itself', async () => {
      clock.set(Date.UTC(2026, 0, 7, 22));
      await setHours(NINE_TO_FIVE);
      await text('STOP');
      await text('HELP');
      expect(await automaticMessages()).toEqual([]);
      expect(await w.server.ctx.db.selectFrom('jobs').selectAll().where('kind', '=', 'message.send').execute()).toEqual([]);
      expect(sentTo(w.sim, CUSTOMER_PHONE)).toEqual([]);
    });
  });
}

/** A clock that runs at real speed from `start`, set or moved forward by the test. */
function runningClock(start: number) {
  let offset = start - Date.now();
  return {
    now: () => Date.now() + offset,
    set: (t: number) => void (offset = t - Date.now()),
    advance: (ms: number) => void (offset += ms),
  };
}
