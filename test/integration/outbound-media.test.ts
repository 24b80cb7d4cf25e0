import { afterEach, describe, expect, it } from 'vitest';
import { signedMediaUrl } from '../../src/features/media/signed.js';
import { newId } from '../../src/ids.js';
import { eventually } from '../helpers/api.js';
import { GIF, JPEG, messageRow, multipartBody, PNG, recordEvents, sentTo } from '../helpers/outbound.js';
import { ENGINES } from '../helpers/server.js';
import { createTwilioWorld, CUSTOMER_PHONE, type TwilioWorld } from '../helpers/twilio-world.js';


for (const engine of ENGINES) {
  describe(`pictures (${engine})`, () => {
    let world: TwilioWorld;
    afterEach(() => world?.destroy());
    const upload = (bytes: Buffer, field = 'file', type = 'image/png') => {
      const { payload, headers } = multipartBody(field, bytes, 'picture', type);
      return world.agent.api.post('/api/media', payload, headers);
    };
    const mediaCount = async () => Number((await world.server.ctx.db.selectFrom('media').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    it('uploads JPEG, PNG and GIF, judging the type by the bytes', async () => {
      world = await createTwilioWorld(engine);
      expect((await upload(PNG, 'file', 'image/jpeg')).body).toMatchObject({ contentType: 'image/png', size: expect.any(Number) });
      expect((await upload(JPEG)).body).toMatchObject({ contentType: 'image/jpeg' });
      const gif = await upload(GIF);
      expect(gif.status).toBe(201);
      expect(gif.body).toEqual({ id: expect.any(String), contentType: 'image/gif', size: expect.any(Number) });
      expect(await mediaCount()).toBe(3);
    });

    it('refuses what is not a picture (422), files over 5 MB (413), and malformed uploads, storing nothing', async () => {
      world = await createTwilioWorld(engine);
      const html = await upload(Buffer.from('<html><script>alert(1)</script></html>'), 'file', 'image/png');
      expect(html.status).toBe(422);
      expect(html.body.error).toMatchObject({ field: 'file', message: expect.stringMatching(/send a JPEG, PNG, GIF, WebP or HEIC picture/) });
      const webp = await upload(Buffer.from('RIFF\0\0\0\0WEBPVP8 ' + 'x'.repeat(20)));
      expect(webp.status).toBe(422);
      expect(webp.body.error.message).toMatch(/could not be read as an image/);
      const huge = await upload(Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]));
      expect(huge.status).toBe(413);
      const wrongField = await upload(PNG, 'picture');
      expect(wrongField.status).toBe(422);
      expect(wrongField.body.error.field).toBe('file');
      const json = await world.agent.api.post('/api/media', { file: 'x' });
      expect(json.status).toBe(422);
      const { payload, headers } = multipartBody('file', PNG);
      expect((await world.anonymous.post('/api/media', payload, headers)).status).toBe(401);
      expect(await mediaCount()).toBe(0);
    });

    it('sends pictures: Twilio fetches them from a signed link and the phone gets them', async () => {
      world = await createTwilioWorld(engine);
      const events = recordEvents(world);
      const png = (await upload(PNG)).body;
      const jpeg = (await upload(JPEG)).body;
      const res = await world.agent.api.post('/api/conversations', { senderId: world.sender.id, phone: CUSTOMER_PHONE, body: 'Your receipt', mediaIds: [png.id, jpeg.id] });
      expect(res.status).toBe(202);
      expect(res.body.message.media).toMatchObject([
        { id: png.id, contentType: 'image/png', size: png.size },
        { id: jpeg.id, contentType: 'image/jpeg', size: jpeg.size },
      ]);
      const stored = async (id: string) => Buffer.from((await world.agent.api.get(`/api/media/${id}`)).rawPayload);
      await eventually(async () => (await messageRow(world, res.body.message.id)).status === 'delivered', { what: 'the MMS delivered' });
      const [mms] = sentTo(world.sim, CUSTOMER_PHONE);
      expect(mms!.mediaUrls).toHaveLength(2);
      expect(mms!.mediaUrls[0]).toMatch(new RegExp(`^${world.publicUrl}/media/${png.id}\\?expires=\\d+&signature=[0-9a-f]{64}$`));
      const [storedPng, storedJpeg] = [await stored(png.id), await stored(jpeg.id)];
      expect(mms!.media.map((m) => [m.contentType, m.data.equals(m.contentType === 'image/png' ? storedPng : storedJpeg)])).toEqual([
        ['image/png', true],
        ['image/jpeg', true],
      ]);
      // Every live update of the message carries its pictures.
      const delivered = await eventually(() => events.find((e) => e.type === 'message.updated' && e.data.status === 'delivered'), { what: 'the delivered event' });
      expect(delivered.type === 'message.updated' && delivered.data.media.map((m) => m.id)).toEqual([png.id, jpeg.id]);
      // A picture goes out with one message only.
      const again = await world.agent.api.post(`/api/conversations/${res.body.conversation.id}/messages`, { body: 'Again', mediaIds: [png.id] });
      expect(again.status).toBe(422);
    });

    it('serves media to Twilio only with a valid, unexpired signature (403 otherwise)', async () => {
      world = await createTwilioWorld(engine);
      const png = (await upload(PNG)).body;
      const { ctx } = world.server;
      const good = signedMediaUrl(ctx, png.id, Date.now());
      const ok = await fetch(good);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toBe('image/png');
      expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
      expect(ok.headers.get('content-security-policy')).toBe('sandbox');
      expect(Buffer.from(await ok.arrayBuffer()).equals(Buffer.from((await world.agent.api.get(`/api/media/${png.id}`)).rawPayload))).toBe(true);

      const url = new URL(good);
      const withParam = (name: string, value: string) => {
        const u = new URL(url);
        u.searchParams.set(name, value);
        return u.toString();
      };
      const wrongSignature = withParam('signature', url.searchParams.get('signature')!.replace(/^./, (c) => (c === '0' ? '1' : '0')));
      const laterExpiry = withParam('expires', String(Number(url.searchParams.get('expires')) + 60));
      const expired = signedMediaUrl(ctx, png.id, Date.now() - 12 * 3600 * 1000 - 5000);
      const otherMedia = good.replace(png.id, (await upload(JPEG)).body.id);
      for (const bad of [wrongSignature, laterExpiry, expired, otherMedia, `${world.publicUrl}/media/${png.id}`, withParam('signature', 'zz')]) {
        const res = await fetch(bad);
        expect(res.status, bad).toBe(403);
      }
    });

    it("serves by signed link only an agent's upload of an inline image type, never a customer's file", async () => {
      world = await createTwilioWorld(engine);
      const { ctx } = world.server;
      const html = Buffer.from('<html><script>alert(document.cookie)</script></html>');
      const stored = async (contentType: string, uploadedBy: string | null, bytes: Buffer) => {
        const id = newId(Date.now());
        await ctx.db
          .insertInto('media')
          .values({ id, organizationId: world.organizationId, messageId: null, contentType, size: bytes.length, status: 'ready', sourceUrl: null, errorMessage: null, position: 0, uploadedBy, createdAt: Date.now() })
          .execute();
        await ctx.db.insertInto('mediaBlobs').values({ mediaId: id, bytes }).execute();
        return id;
      };
      for (const id of [await stored('text/html', null, html), await stored('image/png', null, PNG), await stored('text/html', world.agent.id, html)]) {
        const res = await fetch(signedMediaUrl(ctx, id, Date.now()));
        expect(res.status, id).toBe(404);
        expect(await res.text()).not.toContain('<script>');
      }
    });
  });
}
