import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { PHONE_PAGE } from '../../src/simulator/control/phone-page.js';
import { clientFor, PNG, startReceiver, waitFor, type Receiver } from './helpers.js';

describe('the /_sim/ control API', () => {
  let sim: Simulator;
  let receiver: Receiver;
  let token = '';
  beforeEach(async () => {
    sim = await startSimulator();
    receiver = await startReceiver(() => token);
  });
  afterEach(async () => {
    await sim.stop();
    await receiver.close();
  });

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const response = await fetch(`${sim.url}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: response.status, json: await response.json() };
  }

  it('sets up a world and lets a phone text it, both ways', async () => {
    const account = await call('POST', '/_sim/accounts', { friendlyName: 'Demo' });
    expect(account.status).toBe(201);
    const { sid, authToken } = account.json;
    token = authToken;
    expect(sid).toMatch(/^AC[0-9a-f]{32}$/);

    const number = await call('POST', `/_sim/accounts/${sid}/incoming-numbers`, { phoneNumber: '+14155550100', smsUrl: `${receiver.url}/sms` });
    expect(number.status).toBe(201);
    expect((await call('GET', '/_sim/incoming-numbers/%2B14155550100')).json.smsUrl).toBe(`${receiver.url}/sms`);

    const sent = await call('POST', '/_sim/phones/+14155550123/messages', {
      to: '+14155550100', body: 'hi', media: [{ contentType: 'image/png', data: PNG.toString('base64') }],
    });
    expect(sent.json).toMatchObject({ webhookStatus: 200, webhookBody: '<Response/>' });
    expect(receiver.requests[0]?.params).toMatchObject({ NumMedia: '1', Body: 'hi' });
    expect(receiver.requests[0]?.signatureValid).toBe(true);

    const client = clientFor(sim, sid, authToken);
    await client.messages.create({ to: '+14155550123', from: '+14155550100', body: 'hello back' });
    await waitFor(() => sim.phoneInbox('+14155550123').length > 0, 'delivery');
    const inbox = await call('GET', '/_sim/phones/+14155550123/inbox');
    expect(inbox.json).toEqual([expect.objectContaining({ body: 'hello back', status: 'delivered', from: '+14155550100' })]);

    const thread = await call('GET', '/_sim/phones/+14155550123/messages?with=%2B14155550100');
    expect(thread.json.map((m: { body: string }) => m.body)).toEqual(['hi', 'hello back']);
    expect(thread.json[0].media[0].url.startsWith(sim.mediaHostUrl)).toBe(true);
    expect(thread.json[0].media[0].data).toBeUndefined();

    expect((await call('GET', `/_sim/messages?accountSid=${sid}`)).json).toHaveLength(2);
    expect((await call('GET', '/_sim/webhooks?kind=inbound')).json[0]).toMatchObject({ status: 200, messageSid: sent.json.messageSid });
    expect((await call('GET', '/_sim/support-numbers')).json).toEqual([
      { address: '+14155550100', kind: 'phone_number', accountSid: sid, friendlyName: '(415) 555-0100', messagingServiceSid: null },
    ]);
  });

  it('creates short codes, messaging services and available numbers, and rotates tokens', async () => {
    const { sid } = (await call('POST', '/_sim/accounts', {})).json;
    expect((await call('POST', `/_sim/accounts/${sid}/short-codes`, { shortCode: '12345' })).status).toBe(201);
    expect((await call('GET', '/_sim/short-codes/12345')).json.shortCode).toBe('12345');
    const service = await call('POST', `/_sim/accounts/${sid}/messaging-services`, { phoneNumbers: ['+14155550110'] });
    expect(service.json.phoneNumbers).toEqual(['+14155550110']);
    expect((await call('GET', `/_sim/messaging-services/${service.json.sid}`)).json.sid).toBe(service.json.sid);
    expect((await call('POST', '/_sim/available-numbers', { country: 'US', phoneNumber: '+14155550142' })).status).toBe(201);
    expect((await call('GET', '/_sim/available-numbers?country=US')).json).toHaveLength(1);
    expect((await call('PUT', `/_sim/accounts/${sid}/auth-token`, { authToken: 'fresh' })).status).toBe(200);
    expect((await clientFor(sim, sid, 'fresh').api.v2010.accounts(sid).fetch()).sid).toBe(sid);
  });

  it('sets up applications, number routing and account kinds', async () => {
    const { sid, authToken } = (await call('POST', '/_sim/accounts', { type: 'Trial', verifiedNumbers: ['+14155550123'] })).json;
    token = authToken;
    expect((await call('GET', `/_sim/accounts/${sid}`)).json).toEqual({
      sid, friendlyName: 'Simulated account', type: 'Trial', verifiedNumbers: ['+14155550123'], redaction: { body: false, phoneNumbers: false },
    });
    const app = await call('POST', `/_sim/accounts/${sid}/applications`, { friendlyName: 'Other app', smsUrl: `${receiver.url}/app` });
    expect(app.status).toBe(201);
    expect(app.json.sid).toMatch(/^AP[0-9a-f]{32}$/);
    await call('POST', `/_sim/accounts/${sid}/incoming-numbers`, { phoneNumber: '+14155550100', smsUrl: `${receiver.url}/sms` });
    const patched = await call('PATCH', '/_sim/incoming-numbers/+14155550100', { smsApplicationSid: app.json.sid });
    expect(patched.json).toMatchObject({ smsApplicationSid: app.json.sid, smsUrl: `${receiver.url}/sms` });
    await call('POST', '/_sim/phones/+14155550123/messages', { to: '+14155550100', body: 'hi' });
    expect(receiver.requests.map((r) => new URL(r.url).pathname)).toEqual(['/app']);

    expect((await call('PATCH', '/_sim/incoming-numbers/+14155550100', { smsApplicationSid: 'AP' + '0'.repeat(32) })).status).toBe(400);
    expect((await call('PATCH', '/_sim/incoming-numbers/%2B19999999999', { smsUrl: '' })).status).toBe(404);
    expect((await call('PATCH', `/_sim/accounts/${sid}`, { type: 'Paid' })).status).toBe(400);
    expect((await call('PATCH', `/_sim/accounts/${sid}`, { verifiedNumbers: ['555'] })).json.error).toMatch(/E\.164/);
  });

  it('reads, changes and resets faults', async () => {
    const changed = await call('PUT', '/_sim/faults', { undeliveredNumbers: ['+14155550123'], serverErrorRate: 0.5 });
    expect(changed.json).toMatchObject({ undeliveredNumbers: ['+14155550123'], serverErrorRate: 0.5, timeoutRate: 0 });
    expect(sim.faults.serverErrorRate).toBe(0.5);
    expect((await call('PUT', '/_sim/faults', { serverErrorRate: 2 })).status).toBe(400);
    expect((await call('PUT', '/_sim/faults', { noSuchFault: true })).status).toBe(400);
    expect((await call('DELETE', '/_sim/faults')).json.serverErrorRate).toBe(0);
  });

  it('names what was wrong when it refuses', async () => {
    expect(await call('POST', '/_sim/accounts', { sid: 'nope' })).toEqual({ status: 400, json: { error: expect.stringMatching(/AC followed by 32 hex/) } });
    expect((await call('POST', '/_sim/accounts/AC00000000000000000000000000000000/incoming-numbers', { phoneNumber: '+14155550100' })).status).toBe(404);
    expect((await call('POST', '/_sim/phones/+14155550123/messages', { to: '+14155550100', body: 'x' })).status).toBe(404);
    expect((await call('POST', '/_sim/phones/+14155550123/messages', { body: 'x' })).json.error).toMatch(/^to:/);
    expect((await call('GET', '/_sim/incoming-numbers/%2B19999999999')).status).toBe(404);
    const { sid } = (await call('POST', '/_sim/accounts', {})).json;
    await call('POST', `/_sim/accounts/${sid}/incoming-numbers`, { phoneNumber: '+14155550100' });
    expect((await call('POST', `/_sim/accounts/${sid}/incoming-numbers`, { phoneNumber: '+14155550100' })).status).toBe(409);
  });

  it('serves the phone page, whose script is valid JavaScript', async () => {
    const response = await fetch(`${sim.url}/phone`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toBe(PHONE_PAGE);
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? '';
    expect(() => new Function(script)).not.toThrow();
    expect(html).not.toContain('innerHTML');
  });
});
