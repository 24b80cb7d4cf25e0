import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PNG, rawRest, startReceiver, startWorld, waitFor, type Receiver, type World } from './helpers.js';

const DESK = '+14155550100';
const CUSTOMER = '+12125550123';

describe('inbound messages stay in the account when their webhook fails', () => {
  let w: World;
  let receiver: Receiver;
  beforeEach(async () => {
    w = await startWorld();
    receiver = await startReceiver(() => w.authToken);
    w.sim.addIncomingNumber(w.accountSid, DESK, { smsUrl: `${receiver.url}/webhooks/twilio/messages` });
  });
  afterEach(async () => {
    await w.sim.stop();
    await receiver.close();
  });

  for (const [failure, logged] of [
    ['refuse', { status: 0, error: expect.stringContaining('ECONNREFUSED') }],
    ['server-error', { status: 500, error: null }],
    ['timeout', { status: 0, error: expect.stringContaining('TimeoutError') }],
  ] as const) {
    it(`keeps a picture message whose webhook target fails (${failure}), media and all`, async () => {
      w.sim.setFaults({ failingWebhooks: [{ url: `${receiver.url}/webhooks/`, failure }] });
      const result = await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'anyone?', media: [{ contentType: 'image/png', data: PNG }] });
      expect(receiver.requests).toEqual([]);
      expect(w.sim.webhooks({ kind: 'inbound' })).toEqual([expect.objectContaining({ messageSid: result.messageSid, ...logged })]);

      const [listed] = await w.client.messages.list({ to: DESK });
      expect(listed).toMatchObject({ sid: result.messageSid, status: 'received', direction: 'inbound', body: 'anyone?', numMedia: '1' });
      const media = await w.client.messages(result.messageSid).media.list();
      expect(media.map((m) => m.contentType)).toEqual(['image/png']);
    });
  }

  it('fails only the targets it names, and calls them again once the fault is reset', async () => {
    w.sim.addIncomingNumber(w.accountSid, '+14155550101', { smsUrl: `${receiver.url}/other` });
    w.sim.setFaults({ failingWebhooks: [{ url: `${receiver.url}/webhooks/`, failure: 'server-error' }] });
    await w.sim.phoneSend({ from: CUSTOMER, to: '+14155550101', body: 'to the other' });
    expect(receiver.requests.map((r) => new URL(r.url).pathname)).toEqual(['/other']);
    w.sim.resetFaults();
    expect((await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'again' })).webhookStatus).toBe(200);
  });

  it('keeps the message when the desk itself refuses the connection', async () => {
    await receiver.close();
    const result = await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'desk down' });
    expect(result.webhookStatus).toBe(0);
    expect((await w.client.messages(result.messageSid).fetch()).status).toBe('received');
  });

  it('is switched on and off through the control API', async () => {
    const put = await fetch(`${w.sim.url}/_sim/faults`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ failingWebhooks: [{ url: receiver.url, failure: 'timeout' }] }),
    });
    expect(await put.json()).toMatchObject({ failingWebhooks: [{ url: receiver.url, failure: 'timeout' }] });
    const bad = await fetch(`${w.sim.url}/_sim/faults`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ failingWebhooks: [{ url: receiver.url, failure: 'sometimes' }] }),
    });
    expect(bad.status).toBe(400);
    expect((await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'hi' })).webhookStatus).toBe(0);
  });

  it('fails status callbacks to a failing target too; the message still shows its outcome', async () => {
    w.sim.setFaults({ failingWebhooks: [{ url: receiver.url, failure: 'server-error' }] });
    const sent = await w.client.messages.create({ to: CUSTOMER, from: DESK, body: 'x', statusCallback: `${receiver.url}/status` });
    await waitFor(() => w.sim.webhooks({ kind: 'status-callback' }).length === 2, 'two failed callbacks');
    expect(w.sim.webhooks({ kind: 'status-callback' }).map((e) => e.status)).toEqual([500, 500]);
    expect((await w.client.messages(sent.sid).fetch()).status).toBe('delivered');
  });

  describe('fallback URLs', () => {
    it("calls the number's SmsFallbackUrl when its SmsUrl fails, with ErrorCode and ErrorUrl", async () => {
      const sid = w.sim.getIncomingNumber(DESK)?.sid ?? '';
      const number = await w.client.incomingPhoneNumbers(sid).update({ smsFallbackUrl: `${receiver.url}/fallback`, smsFallbackMethod: 'POST' });
      expect(number).toMatchObject({ smsFallbackUrl: `${receiver.url}/fallback`, smsFallbackMethod: 'POST' });
      await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'first' });
      w.sim.setFaults({ failingWebhooks: [{ url: `${receiver.url}/webhooks/`, failure: 'timeout' }] });
      const result = await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'second' });
      expect(receiver.requests.map((r) => new URL(r.url).pathname)).toEqual(['/webhooks/twilio/messages', '/fallback']);
      expect(receiver.requests[1]?.params).toMatchObject({
        Body: 'second', ErrorCode: '11200', ErrorUrl: `${receiver.url}/webhooks/twilio/messages`,
      });
      expect(receiver.requests[1]?.signatureValid).toBe(true);
      expect(result.webhookStatus).toBe(200);
      expect(w.sim.webhooks({ messageSid: result.messageSid }).map((e) => e.status)).toEqual([0, 200]);
    });

    it("calls the service's FallbackUrl when its InboundRequestUrl fails", async () => {
      const service = w.sim.addMessagingService(w.accountSid, { phoneNumbers: ['+14155550110'] });
      const updated = await w.client.messaging.v1.services(service.sid).update({
        inboundRequestUrl: `${receiver.url}/webhooks/service`, fallbackUrl: `${receiver.url}/service-fallback`,
      });
      expect(updated.fallbackUrl).toBe(`${receiver.url}/service-fallback`);
      receiver.respond = (req) => (req.url.includes('/webhooks/') ? { status: 502, body: 'bad gateway' } : { status: 200, body: '<Response/>' });
      await w.sim.phoneSend({ from: CUSTOMER, to: '+14155550110', body: 'hi' });
      expect(receiver.requests.map((r) => new URL(r.url).pathname)).toEqual(['/webhooks/service', '/service-fallback']);
      expect(receiver.requests[1]?.params).toMatchObject({ MessagingServiceSid: service.sid, ErrorCode: '11200' });
    });
  });

  describe('the list a catch-up reads', () => {
    it('filters inbound by To, From and DateSent, newest first, paged with next_page_uri', async () => {
      w.sim.setFaults({ failingWebhooks: [{ url: receiver.url, failure: 'refuse' }] });
      const today = new Date().toISOString().slice(0, 10);
      const sids: string[] = [];
      for (let i = 0; i < 3; i++) sids.push((await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: `m${i}` })).messageSid);
      await w.sim.phoneSend({ from: '+12125550199', to: DESK, body: 'someone else' });
      const base = `/2010-04-01/Accounts/${w.accountSid}/Messages.json`;
      const first = await rawRest(w, 'GET', `${base}?To=%2B14155550100&From=%2B12125550123&DateSent=${today}&PageSize=2`);
      expect((first.json.messages as { sid: string }[]).map((m) => m.sid)).toEqual([sids[2], sids[1]]);
      expect(first.json).toMatchObject({ page: 0, page_size: 2, previous_page_uri: null });
      const next = await rawRest(w, 'GET', String(first.json.next_page_uri));
      expect((next.json.messages as { sid: string }[]).map((m) => m.sid)).toEqual([sids[0]]);
      expect(next.json.next_page_uri).toBeNull();

      // Twilio documents these filters to the day: any time today names today. (An hour ago would
      // name yesterday in the first hour of a UTC day.)
      const earlierToday = new Date(`${today}T00:00:01Z`);
      const viaClient = await w.client.messages.list({ to: DESK, from: CUSTOMER, dateSentAfter: earlierToday, pageSize: 1 });
      expect(viaClient.map((m) => m.sid)).toEqual([...sids].reverse());
      expect(await w.client.messages.list({ to: DESK, from: CUSTOMER, dateSentBefore: earlierToday })).toHaveLength(3);
      const tomorrow = new Date(Date.now() + 86_400_000);
      expect(await w.client.messages.list({ to: DESK, dateSentAfter: tomorrow })).toEqual([]);
      const yesterday = new Date(Date.now() - 86_400_000);
      expect(await w.client.messages.list({ to: DESK, dateSentBefore: yesterday })).toEqual([]);
    });
  });
});
