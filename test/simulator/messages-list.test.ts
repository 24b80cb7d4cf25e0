import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientFor, rawRest, startWorld, twilioError, waitFor, type World } from './helpers.js';

const DESK = '+14155550100';
const ALICE = '+14155550123';
const BOB = '+14155550124';

describe('Messages list and fetch', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
    w.sim.addIncomingNumber(w.accountSid, DESK, { smsUrl: '' });
  });
  afterEach(() => w.sim.stop());

  const send = (to: string, body: string) => w.client.messages.create({ to, from: DESK, body });

  it('filters by To and From, newest first, with no date needed', async () => {
    const first = await send(ALICE, 'one');
    await send(BOB, 'for bob');
    const second = await send(ALICE, 'two');
    const toAlice = await w.client.messages.list({ to: ALICE });
    expect(toAlice.map((m) => m.sid)).toEqual([second.sid, first.sid]);
    expect(await w.client.messages.list({ from: DESK })).toHaveLength(3);
    expect(await w.client.messages.list({ to: ALICE, from: BOB })).toEqual([]);
  });

  it('pages as Twilio does, so list() and each() follow next_page_uri', async () => {
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push((await send(ALICE, `message ${i}`)).sid);
    const newestFirst = [...sent].reverse();
    expect((await w.client.messages.list({ to: ALICE, pageSize: 2 })).map((m) => m.sid)).toEqual(newestFirst);
    const seen: string[] = [];
    await w.client.messages.each({ to: ALICE, pageSize: 2 }, (m) => {
      seen.push(m.sid);
    });
    expect(seen).toEqual(newestFirst);

    const page = await rawRest(w, 'GET', `/2010-04-01/Accounts/${w.accountSid}/Messages.json?To=${encodeURIComponent(ALICE)}&PageSize=2`);
    expect(page.json).toMatchObject({ page: 0, page_size: 2, start: 0, end: 1, previous_page_uri: null });
    expect(page.json.first_page_uri).toBe(`/2010-04-01/Accounts/${w.accountSid}/Messages.json?To=%2B14155550123&PageSize=2&Page=0`);
    expect(String(page.json.next_page_uri)).toContain('Page=1&PageToken=PA');
    const next = await rawRest(w, 'GET', String(page.json.next_page_uri));
    expect(next.json).toMatchObject({ page: 1, start: 2, end: 3 });
    expect((next.json.messages as { sid: string }[]).map((m) => m.sid)).toEqual(newestFirst.slice(2, 4));
  });

  it('keeps paging stable when new messages arrive between pages', async () => {
    for (let i = 0; i < 3; i++) await send(ALICE, `old ${i}`);
    const page = await w.client.messages.page({ to: ALICE, pageSize: 2 });
    await send(ALICE, 'new');
    const next = await page.nextPage();
    expect(next?.instances.map((m) => m.body)).toEqual(['old 0']);
  });

  it('filters on DateSent>', async () => {
    await send(ALICE, 'now');
    await waitFor(() => w.sim.phoneInbox(ALICE).length > 0, 'delivery (DateSent is set when sent)');
    const yesterday = new Date(Date.now() - 86_400_000);
    const tomorrow = new Date(Date.now() + 86_400_000);
    expect(await w.client.messages.list({ to: ALICE, dateSentAfter: yesterday })).toHaveLength(1);
    expect(await w.client.messages.list({ to: ALICE, dateSentAfter: tomorrow })).toEqual([]);
    expect(await w.client.messages.list({ to: ALICE, dateSentBefore: tomorrow })).toHaveLength(1);
  });

  it('lists inbound messages too', async () => {
    const { messageSid } = await w.sim.phoneSend({ from: ALICE, to: DESK, body: 'from the phone' });
    const [inbound] = await w.client.messages.list({ from: ALICE });
    expect(inbound).toMatchObject({ sid: messageSid, direction: 'inbound', status: 'received', to: DESK, body: 'from the phone' });
  });

  it('fetches by SID, and not messages of other accounts', async () => {
    const message = await send(ALICE, 'mine');
    expect((await w.client.messages(message.sid).fetch()).body).toBe('mine');
    const other = w.sim.createAccount();
    const client = clientFor(w.sim, other.sid, other.authToken);
    expect((await twilioError(client.messages(message.sid).fetch())).code).toBe(20404);
    expect(await client.messages.list({ to: ALICE })).toEqual([]);
  });
});
