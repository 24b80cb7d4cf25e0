import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWorld, twilioError, type World } from './helpers.js';

describe('Messaging Services (messaging.twilio.com/v1)', () => {
  let w: World;
  let serviceSid: string;
  beforeEach(async () => {
    w = await startWorld();
    serviceSid = w.sim.addMessagingService(w.accountSid, { phoneNumbers: ['+14155550100', '+14155550101'] }).sid;
  });
  afterEach(() => w.sim.stop());

  it('fetches a service with its inbound settings', async () => {
    const service = await w.client.messaging.v1.services(serviceSid).fetch();
    expect(service).toMatchObject({
      sid: serviceSid,
      accountSid: w.accountSid,
      inboundRequestUrl: null,
      inboundMethod: 'POST',
      useInboundWebhookOnNumber: false,
    });
    expect(service.dateCreated).toBeInstanceOf(Date);
    expect(service.url).toBe(`${w.sim.url}/v1/Services/${serviceSid}`);
  });

  it('updates InboundRequestUrl and UseInboundWebhookOnNumber', async () => {
    const updated = await w.client.messaging.v1.services(serviceSid).update({
      inboundRequestUrl: 'https://desk.example/webhooks/twilio/messages',
      inboundMethod: 'POST',
      useInboundWebhookOnNumber: true,
    });
    expect(updated.inboundRequestUrl).toBe('https://desk.example/webhooks/twilio/messages');
    expect(updated.useInboundWebhookOnNumber).toBe(true);
    await w.client.messaging.v1.services(serviceSid).update({ useInboundWebhookOnNumber: false });
    expect(w.sim.getMessagingService(serviceSid)).toMatchObject({
      inboundRequestUrl: 'https://desk.example/webhooks/twilio/messages',
      useInboundWebhookOnNumber: false,
    });
  });

  it('lists the pool numbers, paging with absolute meta URLs', async () => {
    const numbers = await w.client.messaging.v1.services(serviceSid).phoneNumbers.list({ pageSize: 1 });
    expect(numbers.map((n) => n.phoneNumber)).toEqual(['+14155550100', '+14155550101']);
    expect(numbers[0]?.sid).toBe(w.sim.getIncomingNumber('+14155550100')?.sid);
    expect(numbers[0]?.capabilities).toEqual(['MMS', 'SMS', 'Voice']);
    const page = await w.client.messaging.v1.services(serviceSid).phoneNumbers.page({ pageSize: 1 });
    expect(page.nextPageUrl).toMatch(new RegExp(`^${w.sim.url}/v1/Services/${serviceSid}/PhoneNumbers\\?`));
  });

  it('lists the account services', async () => {
    const services = await w.client.messaging.v1.services.list();
    expect(services.map((s) => s.sid)).toEqual([serviceSid]);
  });

  it('answers 20404 for unknown services and services of other accounts, 20003 without credentials', async () => {
    const unknown = await twilioError(w.client.messaging.v1.services('MG' + '0'.repeat(32)).fetch());
    expect([unknown.status, unknown.code]).toEqual([404, 20404]);
    const other = w.sim.createAccount();
    const theirs = w.sim.addMessagingService(other.sid).sid;
    expect((await twilioError(w.client.messaging.v1.services(theirs).fetch())).code).toBe(20404);
    const response = await fetch(`${w.sim.url}/v1/Services/${serviceSid}`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 20003 });
  });
});
