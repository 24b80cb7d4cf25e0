import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rawRest, startReceiver, startWorld, twilioError, type Receiver, type World } from './helpers.js';

const DESK = '+14155550100';
const POOLED = '+14155550110';
const CUSTOMER = '+12125550123';

describe('which webhook wins (Messaging Services, SMS applications)', () => {
  let w: World;
  let receiver: Receiver;
  beforeEach(async () => {
    w = await startWorld();
    receiver = await startReceiver(() => w.authToken);
    w.sim.addIncomingNumber(w.accountSid, DESK, { smsUrl: `${receiver.url}/number-hook` });
  });
  afterEach(async () => {
    await w.sim.stop();
    await receiver.close();
  });

  const paths = (): string[] => receiver.requests.map((r) => new URL(r.url).pathname);
  const pnSid = (phone: string): string => w.sim.getIncomingNumber(phone)?.sid ?? '';

  describe('a service pool over the REST API', () => {
    it("adds a number by its PN SID and answers Twilio's PhoneNumber shape", async () => {
      const service = w.sim.addMessagingService(w.accountSid);
      const added = await w.client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: pnSid(DESK) });
      expect(added).toMatchObject({
        sid: pnSid(DESK), accountSid: w.accountSid, serviceSid: service.sid, phoneNumber: DESK,
        countryCode: 'US', capabilities: ['MMS', 'SMS', 'Voice'],
        url: `${w.sim.url}/v1/Services/${service.sid}/PhoneNumbers/${pnSid(DESK)}`,
      });
      expect(w.sim.getMessagingService(service.sid)?.phoneNumbers).toEqual([DESK]);
    });

    it('refuses a missing PhoneNumberSid, an unknown one, and a number already pooled', async () => {
      const service = w.sim.addMessagingService(w.accountSid, { phoneNumbers: [DESK] });
      const other = w.sim.addMessagingService(w.accountSid);
      const missing = await rawRest(w, 'POST', `/v1/Services/${other.sid}/PhoneNumbers`, {});
      expect([missing.status, missing.json.code]).toEqual([400, 20001]);
      const unknown = await twilioError(w.client.messaging.v1.services(other.sid).phoneNumbers.create({ phoneNumberSid: 'PN' + '0'.repeat(32) }));
      expect([unknown.status, unknown.code]).toEqual([404, 20404]);
      const again = await twilioError(w.client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: pnSid(DESK) }));
      expect([again.status, again.code]).toEqual([409, 21710]);
      const elsewhere = await twilioError(w.client.messaging.v1.services(other.sid).phoneNumbers.create({ phoneNumberSid: pnSid(DESK) }));
      expect([elsewhere.status, elsewhere.code]).toEqual([400, 21712]);
    });

    it("removes a number from the pool, which gives it back its own webhook", async () => {
      const service = w.sim.addMessagingService(w.accountSid, { phoneNumbers: [DESK], inboundRequestUrl: `${receiver.url}/service-hook` });
      await w.client.messaging.v1.services(service.sid).phoneNumbers(pnSid(DESK)).remove();
      expect(await w.client.messaging.v1.services(service.sid).phoneNumbers.list()).toEqual([]);
      const gone = await twilioError(w.client.messaging.v1.services(service.sid).phoneNumbers(pnSid(DESK)).fetch());
      expect(gone.code).toBe(20404);
      await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'hi' });
      expect(paths()).toEqual(['/number-hook']);
      expect(receiver.requests[0]?.params.MessagingServiceSid).toBeUndefined();
    });
  });

  it('moves numbers between pools through the control API', async () => {
    const first = w.sim.addMessagingService(w.accountSid, { phoneNumbers: [DESK] });
    const second = w.sim.addMessagingService(w.accountSid);
    expect(() => w.sim.updateMessagingService(second.sid, { phoneNumbers: [DESK] })).toThrow(/already in Messaging Service/);
    w.sim.updateMessagingService(first.sid, { phoneNumbers: [] });
    const response = await fetch(`${w.sim.url}/_sim/messaging-services/${second.sid}`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ phoneNumbers: [DESK, POOLED], inboundRequestUrl: `${receiver.url}/service-hook`, advancedOptOut: true }),
    });
    expect(await response.json()).toMatchObject({ phoneNumbers: [DESK, POOLED], advancedOptOut: true });
    expect(w.sim.getIncomingNumber(POOLED)?.accountSid).toBe(w.accountSid);
    await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'help' });
    expect(paths()).toEqual(['/service-hook']);
    expect(receiver.requests[0]?.params).toMatchObject({ MessagingServiceSid: second.sid, OptOutType: 'HELP' });
  });

  describe('inbound to a pool number', () => {
    it("goes to the service's InboundRequestUrl and method, with MessagingServiceSid", async () => {
      const service = w.sim.addMessagingService(w.accountSid, {
        phoneNumbers: [DESK], inboundRequestUrl: `${receiver.url}/service-hook`, inboundMethod: 'GET',
      });
      await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'to the service' });
      expect(paths()).toEqual(['/service-hook']);
      expect(receiver.requests[0]).toMatchObject({ method: 'GET', signatureValid: true });
      expect(receiver.requests[0]?.params).toMatchObject({ MessagingServiceSid: service.sid, Body: 'to the service' });
    });

    it("goes to the number's own route when the service defers to it, still naming the service", async () => {
      const service = w.sim.addMessagingService(w.accountSid, { phoneNumbers: [DESK], inboundRequestUrl: `${receiver.url}/service-hook` });
      await w.client.messaging.v1.services(service.sid).update({ useInboundWebhookOnNumber: true });
      await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'to the number' });
      expect(paths()).toEqual(['/number-hook']);
      expect(receiver.requests[0]?.params.MessagingServiceSid).toBe(service.sid);
    });

    it('is dropped, unlogged, when the service neither defers nor has an InboundRequestUrl', async () => {
      w.sim.addMessagingService(w.accountSid, { phoneNumbers: [POOLED] });
      const result = await w.sim.phoneSend({ from: CUSTOMER, to: POOLED, body: 'into the void' });
      expect(result).toMatchObject({ dropped: true, webhookStatus: 0 });
      expect(await w.client.messages.list({ to: POOLED })).toEqual([]);
      expect(w.sim.webhooks()).toEqual([]);
    });
  });

  describe('SMS applications (TwiML Apps)', () => {
    it("routes a number with SmsApplicationSid to the application's SmsUrl, and '' clears it", async () => {
      const app = await w.client.applications.create({ friendlyName: 'Other app', smsUrl: `${receiver.url}/app-hook`, smsMethod: 'POST' });
      expect(app.sid).toMatch(/^AP[0-9a-f]{32}$/);
      const number = await w.client.incomingPhoneNumbers(pnSid(DESK)).update({ smsApplicationSid: app.sid });
      expect(number).toMatchObject({ smsApplicationSid: app.sid, smsUrl: `${receiver.url}/number-hook`, smsMethod: 'POST' });
      await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'to the app' });

      const cleared = await w.client.incomingPhoneNumbers(pnSid(DESK)).update({ smsApplicationSid: '' });
      expect(cleared.smsApplicationSid).toBe('');
      await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'to the number' });
      expect(paths()).toEqual(['/app-hook', '/number-hook']);
      expect(receiver.requests.every((r) => r.signatureValid)).toBe(true);
    });

    it('wins on a pooled number whose service defers to it', async () => {
      const app = w.sim.addApplication(w.accountSid, { smsUrl: `${receiver.url}/app-hook` });
      w.sim.updateIncomingNumber(DESK, { smsApplicationSid: app.sid });
      w.sim.addMessagingService(w.accountSid, { phoneNumbers: [DESK], useInboundWebhookOnNumber: true });
      await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'hi' });
      expect(paths()).toEqual(['/app-hook']);
    });

    it('lists, fetches, updates and deletes applications; a deleted one no longer routes', async () => {
      const app = await w.client.applications.create({ friendlyName: 'Desk', smsUrl: `${receiver.url}/app-hook` });
      await w.client.applications.create({ friendlyName: 'Other' });
      expect((await w.client.applications.list({ friendlyName: 'Desk' })).map((a) => a.sid)).toEqual([app.sid]);
      const updated = await w.client.applications(app.sid).update({ smsUrl: `${receiver.url}/app-hook-2`, smsMethod: 'GET' });
      expect(updated).toMatchObject({ smsUrl: `${receiver.url}/app-hook-2`, smsMethod: 'GET' });
      expect((await w.client.applications(app.sid).fetch()).uri).toBe(`/2010-04-01/Accounts/${w.accountSid}/Applications/${app.sid}.json`);

      await w.client.incomingPhoneNumbers(pnSid(DESK)).update({ smsApplicationSid: app.sid });
      await w.client.applications(app.sid).remove();
      expect((await twilioError(w.client.applications(app.sid).fetch())).code).toBe(20404);
      expect((await w.client.incomingPhoneNumbers(pnSid(DESK)).fetch()).smsApplicationSid).toBe('');
      await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'hi' });
      expect(paths()).toEqual(['/number-hook']);
    });

    it("refuses an SmsApplicationSid that is not one of the account's applications", async () => {
      const other = w.sim.createAccount();
      const theirs = w.sim.addApplication(other.sid, { smsUrl: `${receiver.url}/theirs` });
      const error = await twilioError(w.client.incomingPhoneNumbers(pnSid(DESK)).update({ smsApplicationSid: theirs.sid }));
      expect([error.status, error.code]).toEqual([400, 20001]);
      expect(w.sim.getIncomingNumber(DESK)?.smsApplicationSid).toBe('');
    });
  });

  describe('OptOutType', () => {
    it('is sent only for a pool number of a service with Advanced Opt-Out', async () => {
      const service = w.sim.addMessagingService(w.accountSid, { phoneNumbers: [DESK], inboundRequestUrl: `${receiver.url}/service-hook` });
      await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'STOP' });
      w.sim.updateMessagingService(service.sid, { advancedOptOut: true });
      await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'START' });
      expect(receiver.requests.map((r) => r.params.OptOutType)).toEqual([undefined, 'START']);
    });
  });

  describe('senders that are not phone numbers', () => {
    it('delivers texts from a short code and from an alphanumeric sender ID', async () => {
      await w.sim.phoneSend({ from: '55512', to: DESK, body: 'Your code is 1234' });
      await w.sim.phoneSend({ from: 'ACME Bank', to: DESK, body: 'Your balance' });
      expect(receiver.requests.map((r) => r.params.From)).toEqual(['55512', 'ACME Bank']);
      expect(receiver.requests.every((r) => r.signatureValid)).toBe(true);
      const listed = await w.client.messages.list({ to: DESK });
      expect(listed.map((m) => m.from)).toEqual(['ACME Bank', '55512']);
      expect(await w.client.messages.list({ from: 'ACME Bank' })).toHaveLength(1);
    });
  });
});
