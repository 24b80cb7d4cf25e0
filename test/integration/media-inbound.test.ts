import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mediaDownloadJobHandler } from '../../src/features/media/download.js';
import { MEDIA_DOWNLOAD } from '../../src/features/media/service.js';
import { settleMediaFailed, settleMediaReady } from '../../src/features/media/queries.js';
import { newId } from '../../src/ids.js';
import { apiClient, eventually } from '../helpers/api.js';
import { PNG, inboundParams, postWebhook, recordEvents } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { PASSWORD } from '../helpers/world.js';
import { CUSTOMER_PHONE, createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const HTML = Buffer.from('<html><script>alert(document.cookie)</script></html>');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');

/** Retries in milliseconds instead of minutes, so giving up is quick to watch. */
const FAST = { maxAttempts: 3, baseBackoffMs: 10, maxBackoffMs: 20, timeoutMs: 5_000 };

for (const engine of ENGINES) {
  describe(`inbound MMS media (${engine})`, () => {
    let w: TwilioWorld;
    beforeEach(async () => {
      w = await createTwilioWorld(engine, { env: { ALLOW_SIGNUP: 'true' }, jobs: { kinds: [MEDIA_DOWNLOAD], handlers: (ctx) => [mediaDownloadJobHandler(ctx, FAST)] } });
    });
    afterEach(async () => {
      await w.destroy();
    });

    const db = () => w.server.ctx.db;
    const send = (media: { contentType: string; data: Buffer }[], body = '') => w.sim.phoneSend({ from: CUSTOMER_PHONE, to: w.sender.phoneNumber, body, media });
    const onlyMessage = async () => {
      const inbox = await w.agent.api.get('/api/conversations');
      return (await w.agent.api.get(`/api/conversations/${inbox.body.items[0].id}/messages`)).body.items[0];
    };
    const settled = (status: 'ready' | 'failed') =>
      eventually(async () => {
        const m = await onlyMessage();
        return m.media.length > 0 && m.media.every((x: any) => x.status === status) && m;
      }, { what: `media ${status}` });

    it('stores the message at once, downloads the picture behind Twilio basic auth, and serves it inline to agents', async () => {
      const rec = recordEvents(w);
      const sent = await send([{ contentType: 'image/png', data: PNG }]);
      expect(sent.webhookStatus).toBe(200);
      await rec.settle();
      const created = rec.ofType('message.created')[0]!.data;
      expect(created.media).toEqual([expect.objectContaining({ contentType: 'image/png', status: 'pending', url: `/api/media/${created.media[0]!.id}` })]);
      expect(rec.ofType('conversation.created')[0]!.data.preview).toBe('[picture]');

      const message = await settled('ready');
      const mediaId = created.media[0]!.id;
      expect(message.media).toEqual([{ id: mediaId, contentType: 'image/png', size: PNG.length, url: `/api/media/${mediaId}`, thumbnailUrl: `/api/media/${mediaId}/thumbnail`, status: 'ready' }]);
      expect(message.errorMessage).toBeNull();
      // The simulator's media host refuses requests carrying credentials: the redirect was followed without them.
      const res = await w.agent.api.get(message.media[0].url);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers['content-disposition']).toBe('inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(Buffer.from(res.body, 'binary').length).toBeGreaterThan(0);
      const raw = await w.server.app.inject({ method: 'GET', url: message.media[0].url, headers: { authorization: `Bearer ${w.agent.token}` } });
      expect(raw.rawPayload.equals(PNG)).toBe(true);

      const row = await db().selectFrom('media').selectAll().where('id', '=', message.media[0].id).executeTakeFirstOrThrow();
      expect(row.sourceUrl).toBeNull();
      await eventually(async () => (await rec.settle()) && rec.ofType('message.updated').length === 1, { what: 'message.updated' });
      expect(rec.ofType('message.updated')[0]!.data).toEqual(message);
      rec.stop();
    });

    it('settles a file once: a late download or give-up changes nothing after it is ready', async () => {
      await send([{ contentType: 'image/png', data: PNG }]);
      const id = (await settled('ready')).media[0].id as string;
      expect(await settleMediaFailed(db(), id, 'a late give-up')).toBe(false);
      expect(await settleMediaReady(db(), id, { size: 1, contentType: 'image/gif' })).toBe(false);
      expect(await db().selectFrom('media').select(['status', 'size', 'contentType', 'errorMessage']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({
        status: 'ready',
        size: PNG.length,
        contentType: 'image/png',
        errorMessage: null,
      });
    });

    it('keeps several pictures in order', async () => {
      await send([{ contentType: 'image/gif', data: GIF }, { contentType: 'image/png', data: PNG }], 'two pictures');
      const message = await settled('ready');
      expect(message.body).toBe('two pictures');
      expect(message.media.map((m: any) => m.contentType)).toEqual(['image/gif', 'image/png']);
    });

    it('judges the type from the bytes: a fake PNG, an SVG or a PDF is a sandboxed download', async () => {
      await send([
        { contentType: 'image/png', data: HTML },
        { contentType: 'image/svg+xml', data: SVG },
        { contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 fake') },
        { contentType: 'text/vcard', data: Buffer.from('BEGIN:VCARD') },
      ]);
      const message = await settled('ready');
      expect(message.media.map((m: any) => m.contentType)).toEqual(['application/octet-stream', 'application/octet-stream', 'application/pdf', 'text/vcard']);
      for (const media of message.media) {
        const res = await w.agent.api.get(media.url);
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toBe(media.contentType);
        expect(res.headers['content-disposition']).toBe(`attachment; filename="${media.id}"`);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['content-security-policy']).toBe('sandbox');
      }
    });

    it('gives up on a file over 5 MB without retrying, and the message says so', async () => {
      const rec = recordEvents(w);
      await send([{ contentType: 'image/jpeg', data: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(5 * 1024 * 1024)]) }], 'big one');
      const message = await settled('failed');
      expect(message.errorMessage).toBe('1 attachment could not be downloaded from Twilio');
      expect(message.body).toBe('big one');
      const row = await db().selectFrom('media').selectAll().where('id', '=', message.media[0].id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'failed', sourceUrl: null, errorMessage: expect.stringContaining('5 MB') });
      expect(await db().selectFrom('mediaBlobs').selectAll().execute()).toEqual([]);
      // Given up at once: the job completes after its first attempt, with no retry left behind.
      await eventually(async () => (await db().selectFrom('jobs').selectAll().execute()).length === 0, { what: 'the job to complete' });
      await eventually(async () => (await rec.settle()) && rec.ofType('message.updated').length === 1, { what: 'message.updated' });
      expect(rec.ofType('message.updated')[0]!.data).toMatchObject({ id: message.id, errorMessage: message.errorMessage });
      expect((await w.agent.api.get(message.media[0].url)).status).toBe(404);
      rec.stop();
    });

    it('retries a failing download with backoff, then marks it failed on the message', async () => {
      w.sim.setFaults({ serverErrorRate: 1 });
      await send([{ contentType: 'image/png', data: PNG }, { contentType: 'image/png', data: PNG }], 'pics');
      const message = await settled('failed');
      expect(message.errorMessage).toBe('2 attachments could not be downloaded from Twilio');
      // The runner records the job's own failure just after the hook that marked the media.
      const job = await eventually(async () => {
        const rows = await db().selectFrom('jobs').selectAll().where('kind', '=', MEDIA_DOWNLOAD).execute();
        return rows.every((j) => j.status === 'failed') && rows;
      }, { what: 'both jobs failed' });
      expect(job.map((j) => [j.status, j.attempts])).toEqual([
        ['failed', FAST.maxAttempts],
        ['failed', FAST.maxAttempts],
      ]);
    });

    it('succeeds on a retry after Twilio recovers', async () => {
      w.sim.setFaults({ serverErrorRate: 1 });
      await send([{ contentType: 'image/png', data: PNG }]);
      await eventually(async () => (await db().selectFrom('jobs').select('lastError').executeTakeFirst())?.lastError, { what: 'a failed attempt' });
      w.sim.resetFaults();
      const message = await settled('ready');
      expect(message.errorMessage).toBeNull();
    });

    it('never sends the credentials to a host other than Twilio', async () => {
      const url = `${w.sim.mediaHostUrl}/token/ME${'0'.repeat(32)}`;
      const res = await postWebhook(w, inboundParams(w, { NumMedia: '1', MediaUrl0: url, MediaContentType0: 'image/png' }));
      expect(res.status).toBe(200);
      const message = await settled('failed');
      const row = await db().selectFrom('media').selectAll().where('id', '=', message.media[0].id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'failed', sourceUrl: null, errorMessage: expect.stringContaining("not a media file on Twilio's API host") });
    });

    it("sends the credentials to Twilio's API host only for a message's media file", async () => {
      // Twilio would answer this with the account's details, which would then be stored as a "file".
      const url = `${w.sim.url}/2010-04-01/Accounts/${w.account.sid}.json`;
      const res = await postWebhook(w, inboundParams(w, { NumMedia: '1', MediaUrl0: url, MediaContentType0: 'image/png' }));
      expect(res.status).toBe(200);
      const message = await settled('failed');
      const row = await db().selectFrom('media').selectAll().where('id', '=', message.media[0].id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'failed', sourceUrl: null, errorMessage: expect.stringContaining('/Messages/MM…/Media/ME…') });
    });

    it('fails the download when the account was disconnected meanwhile', async () => {
      w.sim.setFaults({ serverErrorRate: 1 });
      await send([{ contentType: 'image/png', data: PNG }]);
      await eventually(async () => (await db().selectFrom('jobs').select('lastError').executeTakeFirst())?.lastError, { what: 'a failed attempt' });
      await db().updateTable('senders').set({ twilioAccountId: null }).execute();
      await db().deleteFrom('twilioAccounts').execute();
      w.sim.resetFaults();
      const message = await settled('failed');
      expect(message.errorMessage).toBe('1 attachment could not be downloaded from Twilio');
    });

    it('serves media only to signed-in agents of its organization, and only once downloaded', async () => {
      await send([{ contentType: 'image/png', data: PNG }]);
      const { media } = await settled('ready');
      expect((await w.anonymous.get(media[0].url)).status).toBe(401);
      const other = await w.anonymous.post('/api/signup', { orgName: 'Other', name: 'Olga', email: 'olga@other.test', password: PASSWORD });
      expect((await apiClient(w.server.app, other.body.token).get(media[0].url)).status).toBe(404);
      expect((await w.admin.api.get(media[0].url)).status).toBe(200);

      const pendingId = newId();
      await db()
        .insertInto('media')
        .values({ id: pendingId, organizationId: w.organizationId, messageId: null, contentType: 'image/png', size: 0, status: 'pending', sourceUrl: null, errorMessage: null, position: 0, uploadedBy: null, createdAt: Date.now() })
        .execute();
      expect((await w.agent.api.get(`/api/media/${pendingId}`)).status).toBe(409);
      expect((await w.agent.api.get(`/api/media/${newId()}`)).status).toBe(404);
    });
  });
}
