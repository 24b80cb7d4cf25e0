import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PNG, startReceiver, startWorld, waitFor, type Receiver, type World } from './helpers.js';

const DESK = '+14155550100';
const CUSTOMER = '+14155550123';

describe('after a message is created: media, delivery and status callbacks', () => {
  let w: World;
  let receiver: Receiver;
  let callbackUrl: string;
  beforeEach(async () => {
    w = await startWorld();
    w.sim.addIncomingNumber(w.accountSid, DESK);
    receiver = await startReceiver(() => w.authToken);
    // Serve media for outbound MMS; everything else is a status callback.
    receiver.respond = (req) => {
      const path = new URL(req.url).pathname;
      if (path === '/media/cat.png') return { status: 200, body: PNG, contentType: 'image/png' };
      if (path === '/media/page') return { status: 200, body: '<html></html>', contentType: 'text/html' };
      if (path.startsWith('/media/')) return { status: 404, body: 'no', contentType: 'text/plain' };
      return { status: 200, body: '' };
    };
    callbackUrl = `${receiver.url}/webhooks/twilio/status?attempt=att_1&x=a%2Fb`;
  });
  afterEach(async () => {
    await w.sim.stop();
    await receiver.close();
  });

  const callbacks = () => receiver.requests.filter((r) => r.url.includes('/webhooks/twilio/status'));
  const statuses = () => callbacks().map((r) => r.params.MessageStatus);
  const send = (to: string, extra: Record<string, unknown> = {}) =>
    w.client.messages.create({ to, from: DESK, body: 'hello', statusCallback: callbackUrl, ...extra });

  it('posts sent then delivered to the exact StatusCallback URL, signed', async () => {
    const message = await send(CUSTOMER);
    await waitFor(() => callbacks().length === 2, 'two callbacks');
    expect(statuses()).toEqual(['sent', 'delivered']);
    for (const request of callbacks()) {
      expect(request.url).toBe(callbackUrl);
      expect(request.signatureValid).toBe(true);
      expect(request.params).toMatchObject({
        MessageSid: message.sid, SmsSid: message.sid, AccountSid: w.accountSid, From: DESK, To: CUSTOMER, ApiVersion: '2010-04-01',
      });
      expect(request.params.ErrorCode).toBeUndefined();
    }
    // The simulator logs a callback once its answer has arrived, a moment after the receiver saw it.
    const logged = await waitFor(() => {
      const entries = w.sim.webhooks({ kind: 'status-callback', messageSid: message.sid });
      return entries.length === 2 && entries;
    }, 'both callbacks logged');
    expect(logged.map((e) => e.status)).toEqual([200, 200]);
  });

  it('names the Messaging Service in callbacks of service sends', async () => {
    const service = w.sim.addMessagingService(w.accountSid, { phoneNumbers: ['+14155550111'] });
    await w.client.messages.create({ to: CUSTOMER, messagingServiceSid: service.sid, body: 'x', statusCallback: callbackUrl });
    await waitFor(() => callbacks().length === 2, 'two callbacks');
    expect(callbacks()[0]?.params).toMatchObject({ MessagingServiceSid: service.sid, From: '+14155550111' });
  });

  it("falls back to the service's StatusCallback when a service send names none", async () => {
    const service = w.sim.addMessagingService(w.accountSid, { phoneNumbers: ['+14155550111'] });
    await w.client.messaging.v1.services(service.sid).update({ statusCallback: callbackUrl });
    await w.client.messages.create({ to: CUSTOMER, messagingServiceSid: service.sid, body: 'x' });
    await waitFor(() => callbacks().length === 2, 'two callbacks');
    expect(callbacks().every((r) => r.signatureValid)).toBe(true);
  });

  it('ends undelivered with 30003 for an unreachable handset, after sent', async () => {
    w.sim.setFaults({ undeliveredNumbers: [CUSTOMER] });
    const message = await send(CUSTOMER);
    await waitFor(() => callbacks().length === 2, 'two callbacks');
    expect(statuses()).toEqual(['sent', 'undelivered']);
    expect(callbacks()[1]?.params.ErrorCode).toBe('30003');
    expect(await w.client.messages(message.sid).fetch()).toMatchObject({ status: 'undelivered', errorCode: 30003 });
    expect(w.sim.phoneInbox(CUSTOMER)).toEqual([]);
  });

  it('ends failed with 30006 or 30007, with a single callback', async () => {
    w.sim.setFaults({ failedNumbers: ['+14155550124'], filteredNumbers: ['+14155550125'] });
    const landline = await send('+14155550124');
    const filtered = await send('+14155550125');
    await waitFor(() => callbacks().length === 2, 'two callbacks');
    const byMessage = Object.fromEntries(callbacks().map((r) => [r.params.MessageSid, r.params]));
    expect(byMessage[landline.sid]).toMatchObject({ MessageStatus: 'failed', ErrorCode: '30006' });
    expect(byMessage[filtered.sid]).toMatchObject({ MessageStatus: 'failed', ErrorCode: '30007' });
  });

  it('can send the callbacks out of order', async () => {
    w.sim.setFaults({ callbackOrder: 'reversed' });
    await send(CUSTOMER);
    await waitFor(() => callbacks().length === 2, 'two callbacks');
    expect(statuses()).toEqual(['delivered', 'sent']);
  });

  it('can delay callbacks while the message itself is already delivered', async () => {
    w.sim.setFaults({ callbackDelayMs: 60_000 });
    const message = await send(CUSTOMER);
    await waitFor(() => w.sim.phoneInbox(CUSTOMER).length === 1, 'delivery');
    const [listed] = await w.client.messages.list({ to: CUSTOMER });
    expect(listed).toMatchObject({ sid: message.sid, status: 'delivered' });
    expect(callbacks()).toEqual([]);
  });

  it('can drop callbacks altogether', async () => {
    w.sim.setFaults({ dropStatusCallbacks: true });
    await send(CUSTOMER);
    await waitFor(() => w.sim.phoneInbox(CUSTOMER).length === 1, 'delivery');
    expect(callbacks()).toEqual([]);
  });

  it('fetches MediaUrls without credentials and hands the picture to the phone', async () => {
    const message = await send(CUSTOMER, { mediaUrl: [`${receiver.url}/media/cat.png`] });
    const [received] = await waitFor(() => w.sim.phoneInbox(CUSTOMER).length > 0 && w.sim.phoneInbox(CUSTOMER), 'delivery');
    expect(received?.sid).toBe(message.sid);
    expect(received?.media).toHaveLength(1);
    expect(received?.media[0]?.contentType).toBe('image/png');
    expect(received?.media[0]?.data.equals(PNG)).toBe(true);
    const mediaRequest = receiver.requests.find((r) => r.url.endsWith('/media/cat.png'));
    expect(mediaRequest?.headers.authorization).toBeUndefined();
    const viewed = await fetch(received?.media[0]?.url ?? '');
    expect(Buffer.from(await viewed.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('fails with 11200 when a MediaUrl cannot be retrieved and 12300 when it is not media', async () => {
    const missing = await send(CUSTOMER, { mediaUrl: [`${receiver.url}/media/gone.png`] });
    const html = await send('+14155550126', { mediaUrl: [`${receiver.url}/media/page`] });
    await waitFor(() => callbacks().length === 2, 'two callbacks');
    const byMessage = Object.fromEntries(callbacks().map((r) => [r.params.MessageSid, r.params]));
    expect(byMessage[missing.sid]).toMatchObject({ MessageStatus: 'failed', ErrorCode: '11200' });
    expect(byMessage[html.sid]).toMatchObject({ MessageStatus: 'failed', ErrorCode: '12300' });
    expect(await w.client.messages(missing.sid).fetch()).toMatchObject({ status: 'failed', errorCode: 11200 });
    expect(w.sim.phoneInbox(CUSTOMER)).toEqual([]);
  });
});
