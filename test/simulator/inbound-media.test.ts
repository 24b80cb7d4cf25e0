import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PNG, startReceiver, startWorld, type Receiver, type World } from './helpers.js';

const DESK = '+14155550100';
const CUSTOMER = '+14155550123';

describe('a phone sending a picture (inbound MMS media)', () => {
  let w: World;
  let receiver: Receiver;
  let basicAuth: string;
  beforeEach(async () => {
    w = await startWorld();
    receiver = await startReceiver(() => w.authToken);
    w.sim.addIncomingNumber(w.accountSid, DESK, { smsUrl: `${receiver.url}/sms` });
    basicAuth = 'Basic ' + Buffer.from(`${w.accountSid}:${w.authToken}`).toString('base64');
  });
  afterEach(async () => {
    await w.sim.stop();
    await receiver.close();
  });

  async function sendPicture(): Promise<{ mediaUrl: string; messageSid: string }> {
    const { messageSid } = await w.sim.phoneSend({ from: CUSTOMER, to: DESK, body: 'look', media: [{ contentType: 'image/png', data: PNG }] });
    return { mediaUrl: receiver.requests[0]?.params.MediaUrl0 ?? '', messageSid };
  }

  it('passes Twilio-shaped MediaUrl and MediaContentType parameters, signed', async () => {
    const { messageSid, mediaUrl } = await sendPicture();
    expect(messageSid).toMatch(/^MM[0-9a-f]{32}$/);
    const params = receiver.requests[0]?.params;
    expect(params).toMatchObject({ NumMedia: '1', MediaContentType0: 'image/png', Body: 'look' });
    expect(mediaUrl).toMatch(new RegExp(`^${w.sim.url}/2010-04-01/Accounts/${w.accountSid}/Messages/${messageSid}/Media/ME[0-9a-f]{32}$`));
    expect(receiver.requests[0]?.signatureValid).toBe(true);
  });

  it('requires basic auth on the media URL', async () => {
    const { mediaUrl } = await sendPicture();
    const response = await fetch(mediaUrl, { redirect: 'manual' });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 20003 });
  });

  it('redirects to the media host, which serves the bytes to a request without credentials', async () => {
    const { mediaUrl } = await sendPicture();
    const redirect = await fetch(mediaUrl, { headers: { Authorization: basicAuth }, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get('location') ?? '';
    expect(location.startsWith(w.sim.mediaHostUrl)).toBe(true);
    expect(new URL(location).origin).not.toBe(new URL(w.sim.url).origin);
    const media = await fetch(location);
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await media.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it("works with Node's fetch following the redirect, which drops Authorization across origins", async () => {
    const { mediaUrl } = await sendPicture();
    const media = await fetch(mediaUrl, { headers: { Authorization: basicAuth } });
    expect(media.status).toBe(200);
    expect(Buffer.from(await media.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('refuses a request that forwards the Twilio credentials to the media host', async () => {
    const { mediaUrl } = await sendPicture();
    const redirect = await fetch(mediaUrl, { headers: { Authorization: basicAuth }, redirect: 'manual' });
    const leaked = await fetch(redirect.headers.get('location') ?? '', { headers: { Authorization: basicAuth } });
    expect(leaked.status).toBe(403);
  });

  it('serves media only at its unguessable URL', async () => {
    const { mediaUrl } = await sendPicture();
    const redirect = await fetch(mediaUrl, { headers: { Authorization: basicAuth }, redirect: 'manual' });
    const location = new URL(redirect.headers.get('location') ?? '');
    const mediaSid = location.pathname.split('/').pop();
    expect((await fetch(`${w.sim.mediaHostUrl}/wrong-token/${mediaSid}`)).status).toBe(404);
  });

  it('lists the message media through the REST API', async () => {
    const { messageSid } = await sendPicture();
    const media = await w.client.messages(messageSid).media.list();
    expect(media).toHaveLength(1);
    expect(media[0]).toMatchObject({ contentType: 'image/png', parentSid: messageSid, accountSid: w.accountSid });
  });

  it('does not serve media of another account', async () => {
    const { mediaUrl } = await sendPicture();
    const other = w.sim.createAccount();
    const otherAuth = 'Basic ' + Buffer.from(`${other.sid}:${other.authToken}`).toString('base64');
    const response = await fetch(mediaUrl, { headers: { Authorization: otherAuth }, redirect: 'manual' });
    expect(response.status).toBe(404);
  });
});
