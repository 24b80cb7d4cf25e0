import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rawRest, startWorld, twilioError, waitFor, type World } from './helpers.js';

const DESK = '+14155550100';
const CUSTOMER = '+14155550123';

describe('Messages create', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
    w.sim.addIncomingNumber(w.accountSid, DESK);
  });
  afterEach(() => w.sim.stop());

  it('sends from a number: queued at once, then delivered to the phone', async () => {
    const message = await w.client.messages.create({ to: CUSTOMER, from: DESK, body: 'Hello there' });
    expect(message).toMatchObject({
      to: CUSTOMER, from: DESK, body: 'Hello there', status: 'queued', direction: 'outbound-api',
      accountSid: w.accountSid, numSegments: '1', numMedia: '0', errorCode: null, apiVersion: '2010-04-01',
    });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.dateCreated).toBeInstanceOf(Date);
    expect(message.uri).toBe(`/2010-04-01/Accounts/${w.accountSid}/Messages/${message.sid}.json`);
    const [received] = await waitFor(() => w.sim.phoneInbox(CUSTOMER).length > 0 && w.sim.phoneInbox(CUSTOMER), 'delivery');
    expect(received).toMatchObject({ sid: message.sid, body: 'Hello there', status: 'delivered' });
    const fetched = await w.client.messages(message.sid).fetch();
    expect(fetched.status).toBe('delivered');
    expect(fetched.dateSent).toBeInstanceOf(Date);
  });

  it('sends through a Messaging Service: accepted, then sent from a pool number', async () => {
    const service = w.sim.addMessagingService(w.accountSid, { phoneNumbers: ['+14155550111'] });
    const message = await w.client.messages.create({ to: CUSTOMER, messagingServiceSid: service.sid, body: 'Hi' });
    expect(message).toMatchObject({ status: 'accepted', from: null, messagingServiceSid: service.sid });
    await waitFor(() => w.sim.phoneInbox(CUSTOMER).length > 0, 'delivery');
    expect(await w.client.messages(message.sid).fetch()).toMatchObject({ from: '+14155550111', status: 'delivered' });
  });

  it('counts segments with Twilio calculator', async () => {
    const gsm = await w.client.messages.create({ to: CUSTOMER, from: DESK, body: 'a'.repeat(161) });
    expect(gsm.numSegments).toBe('2');
    const ucs2 = await w.client.messages.create({ to: CUSTOMER, from: DESK, body: 'ç'.repeat(71) });
    expect(ucs2.numSegments).toBe('2');
    const split = await w.client.messages.create({ to: CUSTOMER, from: DESK, body: 'a'.repeat(152) + '€' + 'a'.repeat(152) });
    expect(split.numSegments).toBe('3');
  });

  it('gives picture messages MM SIDs and counts their media', async () => {
    const message = await w.client.messages.create({ to: CUSTOMER, from: DESK, mediaUrl: ['https://127.0.0.1:1/a.png'] });
    expect(message.sid).toMatch(/^MM/);
    expect(message.numMedia).toBe('1');
  });

  describe('refusals, with Twilio error codes', () => {
    /** The code of a refused create; a refused create stores no message. */
    const refused = async (params: Record<string, unknown>) => {
      const before = w.sim.messages().length;
      const error = await twilioError(w.client.messages.create(params as never));
      expect(error.status).toBe(400);
      expect(w.sim.messages()).toHaveLength(before);
      return error.code;
    };

    it('21604: no To', async () => {
      const answer = await rawRest(w, 'POST', `/2010-04-01/Accounts/${w.accountSid}/Messages.json`, { From: DESK, Body: 'hi' });
      expect(answer).toEqual({
        status: 400,
        json: { code: 21604, message: "A 'To' phone number is required.", more_info: 'https://www.twilio.com/docs/errors/21604', status: 400 },
      });
    });
    it('21603: neither From nor MessagingServiceSid', async () => {
      expect(await refused({ to: CUSTOMER, body: 'hi' })).toBe(21603);
    });
    it('21211: invalid To', async () => {
      expect(await refused({ to: '12345', from: DESK, body: 'hi' })).toBe(21211);
      expect(await refused({ to: '+1415555', from: DESK, body: 'hi' })).toBe(21211);
    });
    it('21266: To equals From', async () => {
      expect(await refused({ to: DESK, from: DESK, body: 'hi' })).toBe(21266);
    });
    it('21659: From is not a Twilio number', async () => {
      expect(await refused({ to: CUSTOMER, from: '+14155550999', body: 'hi' })).toBe(21659);
    });
    it('21660: From belongs to another account', async () => {
      const other = w.sim.createAccount();
      w.sim.addIncomingNumber(other.sid, '+14155550777');
      expect(await refused({ to: CUSTOMER, from: '+14155550777', body: 'hi' })).toBe(21660);
    });
    it('21606: From cannot send SMS', async () => {
      w.sim.addIncomingNumber(w.accountSid, '+14155550888', { capabilities: { sms: false, mms: false } });
      expect(await refused({ to: CUSTOMER, from: '+14155550888', body: 'hi' })).toBe(21606);
    });
    it('21705, 21701, 21704: malformed, unknown and empty Messaging Services', async () => {
      expect(await refused({ to: CUSTOMER, messagingServiceSid: 'MG123', body: 'hi' })).toBe(21705);
      expect(await refused({ to: CUSTOMER, messagingServiceSid: 'MG' + '0'.repeat(32), body: 'hi' })).toBe(21701);
      const empty = w.sim.addMessagingService(w.accountSid);
      expect(await refused({ to: CUSTOMER, messagingServiceSid: empty.sid, body: 'hi' })).toBe(21704);
    });
    it('21602: no body and no media', async () => {
      expect(await refused({ to: CUSTOMER, from: DESK })).toBe(21602);
      expect(await refused({ to: CUSTOMER, from: DESK, body: '' })).toBe(21602);
    });
    it('21617: body over 1600 characters', async () => {
      expect(await refused({ to: CUSTOMER, from: DESK, body: 'a'.repeat(1601) })).toBe(21617);
      expect((await w.client.messages.create({ to: CUSTOMER, from: DESK, body: 'a'.repeat(1600) })).numSegments).toBe('11');
    });
    it('21623: more than 10 media; 21620: a media URL that is not http(s)', async () => {
      const urls = Array.from({ length: 11 }, (_, i) => `https://media.example/${i}.png`);
      expect(await refused({ to: CUSTOMER, from: DESK, mediaUrl: urls })).toBe(21623);
      expect(await refused({ to: CUSTOMER, from: DESK, mediaUrl: ['ftp://media.example/a.png'] })).toBe(21620);
    });
    it('21609: a StatusCallback that is not a URL', async () => {
      expect(await refused({ to: CUSTOMER, from: DESK, body: 'hi', statusCallback: 'nope' })).toBe(21609);
    });
  });
});
