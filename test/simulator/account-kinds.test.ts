import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rawRest, startReceiver, startWorld, twilioError, waitFor, type Receiver, type World } from './helpers.js';

const DESK = '+14155550100';
const CUSTOMER = '+12125550123';
const UK_CUSTOMER = '+447700900123';

describe('kinds of accounts: Trial, alphanumeric senders, Message Redaction', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
    w.sim.addIncomingNumber(w.accountSid, DESK, { smsUrl: '' });
  });
  afterEach(() => w.sim.stop());

  describe('a Trial account', () => {
    beforeEach(() => {
      w.sim.updateAccount(w.accountSid, { type: 'Trial', verifiedNumbers: [CUSTOMER] });
    });

    it('says so, and texts only its verified numbers (21608)', async () => {
      expect((await w.client.api.v2010.accounts(w.accountSid).fetch()).type).toBe('Trial');
      const error = await twilioError(w.client.messages.create({ to: '+12125550199', from: DESK, body: 'hi' }));
      expect([error.status, error.code]).toEqual([400, 21608]);
      await expect(w.client.messages.create({ to: CUSTOMER, from: DESK, body: 'hi' })).resolves.toBeTruthy();
    });

    it('prefixes what it sends, and the API shows the prefixed body', async () => {
      const sent = await w.client.messages.create({ to: CUSTOMER, from: DESK, body: 'Your order shipped' });
      expect(sent.body).toBe('Sent from your Twilio trial account - Your order shipped');
      await waitFor(() => w.sim.phoneInbox(CUSTOMER).length > 0, 'delivery');
      expect(w.sim.phoneInbox(CUSTOMER)[0]?.body).toBe('Sent from your Twilio trial account - Your order shipped');
    });

    it('is upgraded through the control API', async () => {
      const response = await fetch(`${w.sim.url}/_sim/accounts/${w.accountSid}`, {
        method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'Full' }),
      });
      expect(await response.json()).toMatchObject({ sid: w.accountSid, type: 'Full', verifiedNumbers: [CUSTOMER] });
      const sent = await w.client.messages.create({ to: '+12125550199', from: DESK, body: 'hi' });
      expect(sent.body).toBe('hi');
    });
  });

  describe('an alphanumeric From', () => {
    it('sends from a Full account to a country that accepts it', async () => {
      const sent = await w.client.messages.create({ to: UK_CUSTOMER, from: 'Parley', body: 'Hello from the desk' });
      expect(sent).toMatchObject({ from: 'Parley', to: UK_CUSTOMER, status: 'queued' });
      await waitFor(() => w.sim.phoneInbox(UK_CUSTOMER).length > 0, 'delivery');
    });

    it('cannot reach North American numbers, nor leave a Trial account (21612)', async () => {
      const nanp = await twilioError(w.client.messages.create({ to: CUSTOMER, from: 'Parley', body: 'x' }));
      expect([nanp.status, nanp.code]).toEqual([400, 21612]);
      w.sim.updateAccount(w.accountSid, { type: 'Trial', verifiedNumbers: [UK_CUSTOMER] });
      expect((await twilioError(w.client.messages.create({ to: UK_CUSTOMER, from: 'Parley', body: 'x' }))).code).toBe(21612);
    });
  });

  it('sends from a short code only to US and Canadian numbers (21612)', async () => {
    w.sim.addShortCode(w.accountSid, '55501');
    await expect(w.client.messages.create({ to: CUSTOMER, from: '55501', body: 'x' })).resolves.toMatchObject({ from: '55501' });
    const error = await twilioError(w.client.messages.create({ to: UK_CUSTOMER, from: '55501', body: 'x' }));
    expect([error.status, error.code]).toEqual([400, 21612]);
  });

  describe('Message Redaction', () => {
    let receiver: Receiver;
    beforeEach(async () => {
      receiver = await startReceiver(() => w.authToken);
      w.sim.updateIncomingNumber(DESK, { smsUrl: `${receiver.url}/sms` });
      w.sim.updateAccount(w.accountSid, { redaction: { body: true, phoneNumbers: true } });
    });
    afterEach(() => receiver.close());

    it("shows outbound messages with the customer's last four digits as XXXX and no body", async () => {
      const sent = await w.client.messages.create({ to: CUSTOMER, from: DESK, body: 'secret' });
      expect(sent).toMatchObject({ to: CUSTOMER, body: 'secret' }); // the create answer is not redacted yet
      await waitFor(() => w.sim.phoneInbox(CUSTOMER).length > 0, 'delivery');
      expect(await w.client.messages(sent.sid).fetch()).toMatchObject({ to: '+1212555XXXX', from: DESK, body: '', status: 'delivered' });
      expect((await w.client.messages.list({ from: DESK })).map((m) => m.to)).toEqual(['+1212555XXXX']);
      expect(await w.client.messages.list({ to: CUSTOMER })).toEqual([]);
      expect(await w.client.messages.list({ to: '+1212555XXXX' })).toHaveLength(1);
    });

    it('delivers the whole inbound message to the webhook, then keeps it redacted', async () => {
      const { messageSid } = await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'my account number is 42' });
      expect(receiver.requests[0]?.params).toMatchObject({ From: CUSTOMER, Body: 'my account number is 42' });
      expect(await w.client.messages(messageSid).fetch()).toMatchObject({ from: '+1212555XXXX', to: DESK, body: '' });
    });

    it('redacts each half on its own', async () => {
      w.sim.updateAccount(w.accountSid, { redaction: { body: false } });
      const { messageSid } = await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'kept' });
      expect(await w.client.messages(messageSid).fetch()).toMatchObject({ from: '+1212555XXXX', body: 'kept' });
      w.sim.updateAccount(w.accountSid, { redaction: { body: true, phoneNumbers: false } });
      expect(await w.client.messages(messageSid).fetch()).toMatchObject({ from: CUSTOMER, body: '' });
      expect(w.sim.getAccount(w.accountSid)?.redaction).toEqual({ body: true, phoneNumbers: false });
    });
  });

  describe('one send against the account setting', () => {
    it('honours ContentRetention and AddressRetention, and refuses other values (20001)', async () => {
      const redacted = await w.client.messages.create({ to: CUSTOMER, from: DESK, body: 'a', contentRetention: 'discard', addressRetention: 'obfuscate' });
      w.sim.updateAccount(w.accountSid, { redaction: { body: true, phoneNumbers: true } });
      const kept = await w.client.messages.create({ to: CUSTOMER, from: DESK, body: 'b', contentRetention: 'retain', addressRetention: 'retain' });
      await waitFor(() => w.sim.phoneInbox(CUSTOMER).length === 2, 'delivery');
      expect(await w.client.messages(redacted.sid).fetch()).toMatchObject({ to: '+1212555XXXX', body: '' });
      expect(await w.client.messages(kept.sid).fetch()).toMatchObject({ to: CUSTOMER, body: 'b' });
      const refused = await rawRest(w, 'POST', `/2010-04-01/Accounts/${w.accountSid}/Messages.json`, { To: CUSTOMER, From: DESK, Body: 'c', ContentRetention: 'forget' });
      expect([refused.status, refused.json.code]).toEqual([400, 20001]);
    });
  });

  describe('fetching one message', () => {
    it('answers its current status, callbacks or not', async () => {
      w.sim.setFaults({ dropStatusCallbacks: true, failedNumbers: ['+12125550199'] });
      const delivered = await w.client.messages.create({ to: CUSTOMER, from: DESK, body: 'a' });
      const failed = await w.client.messages.create({ to: '+12125550199', from: DESK, body: 'b' });
      expect(delivered.status).toBe('queued');
      await waitFor(async () => (await w.client.messages(delivered.sid).fetch()).status === 'delivered', 'delivered');
      await waitFor(async () => (await w.client.messages(failed.sid).fetch()).status === 'failed', 'failed');
      expect(await w.client.messages(failed.sid).fetch()).toMatchObject({ errorCode: 30006, dateSent: null });
    });
  });
});
