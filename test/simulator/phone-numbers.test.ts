import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_SMS_URL } from '../../src/simulator/index.js';
import { startWorld, twilioError, type World } from './helpers.js';

describe('IncomingPhoneNumbers', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(() => w.sim.stop());

  it('starts numbers on Twilio demo SmsUrl and finds them with the PhoneNumber filter', async () => {
    w.sim.addIncomingNumber(w.accountSid, '+14155550100');
    w.sim.addIncomingNumber(w.accountSid, '+14155550101');
    const found = await w.client.incomingPhoneNumbers.list({ phoneNumber: '+14155550100' });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      phoneNumber: '+14155550100',
      smsUrl: DEMO_SMS_URL,
      smsMethod: 'POST',
      friendlyName: '(415) 555-0100',
      capabilities: { sms: true, mms: true, voice: true, fax: false },
    });
    expect(found[0]?.sid).toMatch(/^PN[0-9a-f]{32}$/);
    expect(await w.client.incomingPhoneNumbers.list({ phoneNumber: '+14155550199' })).toEqual([]);
    expect(await w.client.incomingPhoneNumbers.list()).toHaveLength(2);
  });

  it('does not list numbers of other accounts', async () => {
    const other = w.sim.createAccount();
    w.sim.addIncomingNumber(other.sid, '+14155550100');
    expect(await w.client.incomingPhoneNumbers.list({ phoneNumber: '+14155550100' })).toEqual([]);
  });

  it('fetches a number and updates SmsUrl and SmsMethod without touching StatusCallback', async () => {
    const number = w.sim.addIncomingNumber(w.accountSid, '+14155550100', { statusCallback: 'https://voice.example/status' });
    const updated = await w.client.incomingPhoneNumbers(number.sid).update({
      smsUrl: 'https://desk.example/webhooks/twilio/messages',
      smsMethod: 'POST',
    });
    expect(updated.smsUrl).toBe('https://desk.example/webhooks/twilio/messages');
    expect(updated.statusCallback).toBe('https://voice.example/status');
    const fetched = await w.client.incomingPhoneNumbers(number.sid).fetch();
    expect(fetched.smsUrl).toBe('https://desk.example/webhooks/twilio/messages');
    expect(w.sim.getIncomingNumber('+14155550100')).toMatchObject({
      smsUrl: 'https://desk.example/webhooks/twilio/messages',
      statusCallback: 'https://voice.example/status',
    });
    await w.client.incomingPhoneNumbers(number.sid).update({ smsUrl: '' });
    expect(w.sim.getIncomingNumber('+14155550100')?.smsUrl).toBe('');
  });

  it('updates StatusCallback separately when asked to', async () => {
    const number = w.sim.addIncomingNumber(w.accountSid, '+14155550100');
    await w.client.incomingPhoneNumbers(number.sid).update({ statusCallback: 'https://voice.example/cb' });
    expect(w.sim.getIncomingNumber('+14155550100')).toMatchObject({ statusCallback: 'https://voice.example/cb', smsUrl: DEMO_SMS_URL });
  });

  it('refuses an invalid SmsUrl (21502) and unknown number SIDs (20404)', async () => {
    const number = w.sim.addIncomingNumber(w.accountSid, '+14155550100');
    const invalid = await twilioError(w.client.incomingPhoneNumbers(number.sid).update({ smsUrl: 'not a url' }));
    expect([invalid.status, invalid.code]).toEqual([400, 21502]);
    const unknown = await twilioError(w.client.incomingPhoneNumbers('PN' + '0'.repeat(32)).fetch());
    expect([unknown.status, unknown.code]).toEqual([404, 20404]);
  });

  it('buys an available number, which then belongs to the account', async () => {
    w.sim.addAvailableNumber('US', '+14155550142');
    const bought = await w.client.incomingPhoneNumbers.create({ phoneNumber: '+14155550142', smsUrl: 'https://desk.example/sms' });
    expect(bought).toMatchObject({ phoneNumber: '+14155550142', smsUrl: 'https://desk.example/sms', accountSid: w.accountSid });
    expect(w.sim.getIncomingNumber('+14155550142')?.accountSid).toBe(w.accountSid);
    expect(await w.client.availablePhoneNumbers('US').local.list()).toEqual([]);
  });

  it('refuses to buy a number that is not available (21422)', async () => {
    const error = await twilioError(w.client.incomingPhoneNumbers.create({ phoneNumber: '+14155550142' }));
    expect([error.status, error.code]).toEqual([400, 21422]);
  });

  it('releases a number', async () => {
    const number = w.sim.addIncomingNumber(w.accountSid, '+14155550100');
    await w.client.incomingPhoneNumbers(number.sid).remove();
    expect(w.sim.getIncomingNumber('+14155550100')).toBeUndefined();
  });
});

describe('AvailablePhoneNumbers', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
    w.sim.addAvailableNumber('US', '+14155550142', { locality: 'San Francisco', region: 'CA' });
    w.sim.addAvailableNumber('US', '+12125550143', { capabilities: { mms: false } });
    w.sim.addAvailableNumber('US', '+15125557788', { capabilities: { sms: false, mms: false } });
    w.sim.addAvailableNumber('GB', '+447700900123');
  });
  afterEach(() => w.sim.stop());

  const numbers = (list: { phoneNumber: string }[]) => list.map((n) => n.phoneNumber).sort();

  it('searches by country, area code and digits', async () => {
    const local = w.client.availablePhoneNumbers('US').local;
    expect(numbers(await local.list())).toEqual(['+12125550143', '+14155550142', '+15125557788']);
    expect(numbers(await local.list({ areaCode: 415 }))).toEqual(['+14155550142']);
    expect(numbers(await local.list({ contains: '7788' }))).toEqual(['+15125557788']);
    expect(numbers(await local.list({ contains: '555*14*' }))).toEqual(['+12125550143', '+14155550142']);
    expect(numbers(await w.client.availablePhoneNumbers('GB').local.list())).toEqual(['+447700900123']);
  });

  it('filters on SMS and MMS capability', async () => {
    const local = w.client.availablePhoneNumbers('US').local;
    expect(numbers(await local.list({ smsEnabled: true }))).toEqual(['+12125550143', '+14155550142']);
    expect(numbers(await local.list({ smsEnabled: true, mmsEnabled: true }))).toEqual(['+14155550142']);
  });

  it('answers Twilio fields, with SMS and MMS capitalised in capabilities as Twilio does', async () => {
    const [found] = await w.client.availablePhoneNumbers('US').local.list({ areaCode: 415 });
    expect(found).toMatchObject({
      phoneNumber: '+14155550142',
      friendlyName: '(415) 555-0142',
      locality: 'San Francisco',
      region: 'CA',
      isoCountry: 'US',
      capabilities: { voice: true, SMS: true, MMS: true },
    });
  });
});

describe('SMS ShortCodes', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(() => w.sim.stop());

  it('lists short codes with the ShortCode filter and updates their SmsUrl', async () => {
    w.sim.addShortCode(w.accountSid, '12345');
    w.sim.addShortCode(w.accountSid, '67890');
    const [code] = await w.client.shortCodes.list({ shortCode: '12345' });
    expect(code).toMatchObject({ shortCode: '12345', smsUrl: DEMO_SMS_URL, smsMethod: 'POST' });
    expect(code?.sid).toMatch(/^SC[0-9a-f]{32}$/);
    const updated = await w.client.shortCodes(code?.sid ?? '').update({ smsUrl: 'https://desk.example/sms', smsMethod: 'POST' });
    expect(updated.smsUrl).toBe('https://desk.example/sms');
    expect(w.sim.getShortCode('12345')?.smsUrl).toBe('https://desk.example/sms');
    expect(await w.client.shortCodes.list()).toHaveLength(2);
  });

  it('answers 20404 for an unknown short code SID', async () => {
    const error = await twilioError(w.client.shortCodes('SC' + '0'.repeat(32)).fetch());
    expect([error.status, error.code]).toEqual([404, 20404]);
  });
});
