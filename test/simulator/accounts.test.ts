import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientFor, startWorld, twilioError, type World } from './helpers.js';

describe('accounts and authentication', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(() => w.sim.stop());

  it('fetches the account with its SID and token', async () => {
    const account = await w.client.api.v2010.accounts(w.accountSid).fetch();
    expect(account.sid).toBe(w.accountSid);
    expect(account.status).toBe('active');
    expect(account.friendlyName).toBeTruthy();
    expect(account.dateCreated).toBeInstanceOf(Date);
    expect(account.uri).toBe(`/2010-04-01/Accounts/${w.accountSid}.json`);
  });

  it('answers wrong credentials with 401 and error 20003', async () => {
    const wrong = clientFor(w.sim, w.accountSid, 'not-the-token');
    const error = await twilioError(wrong.api.v2010.accounts(w.accountSid).fetch());
    expect(error.status).toBe(401);
    expect(error.code).toBe(20003);
    expect(error.message).toBe('Authenticate');
    expect(error.moreInfo).toBe('https://www.twilio.com/docs/errors/20003');
  });

  it('refuses unknown account SIDs and calls without credentials', async () => {
    const stranger = clientFor(w.sim, 'AC' + '0'.repeat(32), w.authToken);
    expect((await twilioError(stranger.api.v2010.accounts('AC' + '0'.repeat(32)).fetch())).code).toBe(20003);
    const response = await fetch(`${w.sim.url}/2010-04-01/Accounts/${w.accountSid}.json`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Basic');
    expect(await response.json()).toMatchObject({ code: 20003, message: 'Authenticate', status: 401 });
  });

  it('stops accepting the old token once it is rotated', async () => {
    w.sim.setAuthToken(w.accountSid, 'rotated-token');
    expect((await twilioError(w.client.api.v2010.accounts(w.accountSid).fetch())).code).toBe(20003);
    const rotated = clientFor(w.sim, w.accountSid, 'rotated-token');
    expect((await rotated.api.v2010.accounts(w.accountSid).fetch()).sid).toBe(w.accountSid);
  });

  it('answers unknown resources and other accounts with 404 and error 20404', async () => {
    const other = w.sim.createAccount();
    const error = await twilioError(w.client.api.v2010.accounts(other.sid).fetch());
    expect(error.status).toBe(404);
    expect(error.code).toBe(20404);
    const missing = await twilioError(w.client.messages('SM' + 'f'.repeat(32)).fetch());
    expect(missing.status).toBe(404);
    expect(missing.code).toBe(20404);
    const response = await fetch(`${w.sim.url}/2010-04-01/Accounts/${w.accountSid}/Nothing.json`, {
      headers: { Authorization: 'Basic ' + Buffer.from(`${w.accountSid}:${w.authToken}`).toString('base64') },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 20404, status: 404 });
  });
});
