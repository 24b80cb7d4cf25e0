import twilio from 'twilio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_SMS_URL } from '../../src/simulator/index.js';
import { startReceiver, startWorld, twilioError, type Receiver, type World } from './helpers.js';

const DESK = '+14155550100';
const CUSTOMER = '+12125550123';

describe('a phone texting a number (inbound webhook)', () => {
  let w: World;
  let receiver: Receiver;
  beforeEach(async () => {
    w = await startWorld();
    receiver = await startReceiver(() => w.authToken);
    w.sim.addIncomingNumber(w.accountSid, DESK, { smsUrl: `${receiver.url}/webhooks/twilio/messages?tenant=a%20b` });
  });
  afterEach(async () => {
    await w.sim.stop();
    await receiver.close();
  });

  it('POSTs Twilio full parameter set, signed over the exact URL, to the SmsUrl', async () => {
    const result = await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'Hello desk' });
    expect(result).toMatchObject({ webhookStatus: 200, webhookBody: '<Response/>' });
    expect(result.messageSid).toMatch(/^SM[0-9a-f]{32}$/);
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`${receiver.url}/webhooks/twilio/messages?tenant=a%20b`);
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.signatureValid).toBe(true);
    expect(request?.params).toEqual({
      MessageSid: result.messageSid,
      SmsSid: result.messageSid,
      SmsMessageSid: result.messageSid,
      AccountSid: w.accountSid,
      From: CUSTOMER,
      To: DESK,
      Body: 'Hello desk',
      NumMedia: '0',
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
      FromCity: 'NEW YORK', FromState: 'NY', FromZip: '10001', FromCountry: 'US',
      ToCity: 'SAN FRANCISCO', ToState: 'CA', ToZip: '94105', ToCountry: 'US',
    });
  });

  it('signs with the current token, so a rotated token shows as an invalid signature to the old one', async () => {
    w.sim.setAuthToken(w.accountSid, 'rotated');
    await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'hi' });
    const request = receiver.requests[0];
    expect(request?.signatureValid).toBe(false);
    expect(twilio.validateRequest('rotated', String(request?.headers['x-twilio-signature']), request?.url ?? '', request?.params ?? {})).toBe(true);
  });

  it('sends the parameters in the query string for SmsMethod GET', async () => {
    w.sim.addIncomingNumber(w.accountSid, '+14155550101', { smsUrl: `${receiver.url}/sms`, smsMethod: 'GET' });
    await w.sim.phoneSend({ from: CUSTOMER, to: '+14155550101', body: 'by GET' });
    const [request] = receiver.requests;
    expect(request?.method).toBe('GET');
    expect(request?.params.Body).toBe('by GET');
    expect(request?.signatureValid).toBe(true);
  });

  it('records the webhook answer, and what a failing desk answered', async () => {
    receiver.respond = () => ({ status: 500, body: 'boom' });
    const result = await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'hi' });
    expect(result).toMatchObject({ webhookStatus: 500, webhookBody: 'boom' });
    expect(w.sim.webhooks({ kind: 'inbound' })).toEqual([
      expect.objectContaining({ messageSid: result.messageSid, status: 500, body: 'boom', url: receiver.requests[0]?.url }),
    ]);
  });

  it('answers for Twilio demo URL without calling it', async () => {
    w.sim.addIncomingNumber(w.accountSid, '+14155550102');
    const result = await w.sim.phoneSend({ from: CUSTOMER, to: '+14155550102', body: 'hi' });
    expect(result.webhookStatus).toBe(200);
    expect(result.webhookBody).toContain('<Message>');
    expect(w.sim.webhooks()[0]?.url).toBe(DEMO_SMS_URL);
  });

  it('reports no webhook when the number has no SmsUrl', async () => {
    w.sim.addIncomingNumber(w.accountSid, '+14155550103', { smsUrl: '' });
    expect(await w.sim.phoneSend({ from: CUSTOMER, to: '+14155550103', body: 'hi' })).toMatchObject({ webhookStatus: 0, webhookBody: '' });
  });

  it('delivers to short codes', async () => {
    w.sim.addShortCode(w.accountSid, '12345');
    await w.client.shortCodes((w.sim.getShortCode('12345')?.sid) ?? '').update({ smsUrl: `${receiver.url}/sms` });
    await w.sim.phoneSend({ from: CUSTOMER, to: '12345', body: 'to a short code' });
    expect(receiver.requests[0]?.params).toMatchObject({ To: '12345', ToCountry: 'US', Body: 'to a short code' });
    expect(receiver.requests[0]?.signatureValid).toBe(true);
  });

  it('refuses unknown destinations and empty messages', async () => {
    await expect(w.sim.phoneSend({ from: CUSTOMER, to: '+14155550999', body: 'hi' })).rejects.toThrow(/not a number or short code/);
    await expect(w.sim.phoneSend({ from: CUSTOMER, to: DESK })).rejects.toThrow(/body or media/);
    await expect(w.sim.phoneSend({ from: 'not a sender!', to: DESK, body: 'hi' })).rejects.toThrow(/E\.164/);
  });

  describe('numbers in a Messaging Service', () => {
    it('routes to the service InboundRequestUrl with MessagingServiceSid when it does not defer to the number', async () => {
      const service = w.sim.addMessagingService(w.accountSid, { phoneNumbers: ['+14155550110'] });
      await w.client.messaging.v1.services(service.sid).update({
        inboundRequestUrl: `${receiver.url}/service-hook`,
        useInboundWebhookOnNumber: false,
      });
      await w.sim.phoneSend({ from: CUSTOMER, to: '+14155550110', body: 'via service' });
      expect(receiver.requests[0]?.url).toBe(`${receiver.url}/service-hook`);
      expect(receiver.requests[0]?.params).toMatchObject({ MessagingServiceSid: service.sid, To: '+14155550110' });
      expect(receiver.requests[0]?.signatureValid).toBe(true);
    });

    it("uses the number's SmsUrl, still with MessagingServiceSid, when the service defers to it", async () => {
      const service = w.sim.addMessagingService(w.accountSid, {
        phoneNumbers: [DESK],
        inboundRequestUrl: `${receiver.url}/service-hook`,
        useInboundWebhookOnNumber: true,
      });
      await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'via number' });
      expect(receiver.requests[0]?.url).toBe(`${receiver.url}/webhooks/twilio/messages?tenant=a%20b`);
      expect(receiver.requests[0]?.params.MessagingServiceSid).toBe(service.sid);
    });
  });

  describe('opt-out keywords', () => {
    it('STOP opts the phone out of that sender (21610), START opts it back in', async () => {
      await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: '  stop ' });
      // Outside a service with Advanced Opt-Out, Twilio acts on the keyword but does not say so.
      expect(receiver.requests[0]?.params.OptOutType).toBeUndefined();
      const error = await twilioError(w.client.messages.create({ to: CUSTOMER, from: DESK, body: 'still there?' }));
      expect([error.status, error.code]).toEqual([400, 21610]);

      w.sim.addIncomingNumber(w.accountSid, '+14155550101');
      await expect(w.client.messages.create({ to: CUSTOMER, from: '+14155550101', body: 'other sender' })).resolves.toBeTruthy();

      await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'START' });
      await expect(w.client.messages.create({ to: CUSTOMER, from: DESK, body: 'welcome back' })).resolves.toBeTruthy();
    });

    it('marks every stop word, HELP and INFO with OptOutType in a service with Advanced Opt-Out', async () => {
      w.sim.addMessagingService(w.accountSid, { phoneNumbers: [DESK], useInboundWebhookOnNumber: true, advancedOptOut: true });
      for (const word of ['STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']) {
        await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: word });
        await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'unstop' });
      }
      await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'help' });
      await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'Info' });
      await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'please stop calling' });
      const types = receiver.requests.map((r) => r.params.OptOutType);
      expect(types).toEqual([...Array<string[]>(7).fill(['STOP', 'START']).flat(), 'HELP', 'HELP', undefined]);
    });

    it('a STOP to a pooled number opts out of the whole Messaging Service', async () => {
      const service = w.sim.addMessagingService(w.accountSid, { phoneNumbers: ['+14155550110', '+14155550111'] });
      await w.sim.phoneSend({ from: CUSTOMER, to: '+14155550110', body: 'STOP' });
      expect((await twilioError(w.client.messages.create({ to: CUSTOMER, messagingServiceSid: service.sid, body: 'x' }))).code).toBe(21610);
    });
  });
});
