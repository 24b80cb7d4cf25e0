import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/api.js';
import { multipartBody } from '../helpers/outbound.js';
import { ENGINES } from '../helpers/server.js';
import { CUSTOMER_PHONE, createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';

/*
 * docs/rules.md#pictures-that-work-on-phones: every upload goes through one pipeline (HEIC to
 * JPEG, metadata dropped, orientation applied, scaled to fit an MMS), and every picture, uploaded
 * or received, gets a thumbnail of at most 480 px. Images are read back with sharp, the library
 * that wrote them.
 */
const HEIC = readFileSync(new URL('../fixtures/iphone-photo.heic', import.meta.url));
const MB = 1024 * 1024;

for (const engine of ENGINES) {
  describe(`pictures that work on phones (${engine})`, () => {
    let w: TwilioWorld;
    afterEach(async () => {
      await w?.destroy();
    });

    const upload = (bytes: Buffer, type = 'image/jpeg') => {
      const { payload, headers } = multipartBody('file', bytes, 'photo', type);
      return w.agent.api.post('/api/media', payload, headers);
    };
    const stored = async (id: string) => Buffer.from((await w.agent.api.get(`/api/media/${id}`)).rawPayload);

    it('turns an iPhone HEIC photo into a JPEG with the same picture', async () => {
      w = await createTwilioWorld(engine);
      const res = await upload(HEIC, 'image/heic');
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.contentType).toBe('image/jpeg');
      const bytes = await stored(res.body.id);
      const meta = await sharp(bytes).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 96, 64]);
      // The fixture is red on the left, blue on the right.
      const { data } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
      const pixel = (x: number) => [...data.subarray((32 * 96 + x) * 3, (32 * 96 + x) * 3 + 3)];
      expect(pixel(10)[0]).toBeGreaterThan(180);
      expect(pixel(85)[2]).toBeGreaterThan(180);
    });

    it('refuses a damaged HEIC with the reason, and the next good one still converts', async () => {
      w = await createTwilioWorld(engine);
      const damaged = await upload(Buffer.concat([HEIC.subarray(0, 200), Buffer.alloc(64)]), 'image/heic');
      expect(damaged.status).toBe(422);
      expect(JSON.stringify(damaged.body)).toMatch(/could not be read as an image|holds no picture/);
      const good = await upload(HEIC, 'image/heic');
      expect(good.status, JSON.stringify(good.body)).toBe(201);
      expect(good.body.contentType).toBe('image/jpeg');
    });

    it("removes the EXIF metadata, the GPS position included, and applies the photo's orientation", async () => {
      w = await createTwilioWorld(engine);
      const photo = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3a7' } })
        .jpeg()
        .withMetadata({ orientation: 6 })
        .withExif({ IFD0: { Make: 'Apple', Model: 'iPhone 15' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '52/1 31/1 12/1', GPSLongitudeRef: 'E', GPSLongitude: '13/1 24/1 36/1' } })
        .toBuffer();
      const before = await sharp(photo).metadata();
      expect(before.exif?.includes(Buffer.from('iPhone 15'))).toBe(true);
      // The GPS IFD pointer (tag 0x8825), in either byte order.
      expect(before.exif!.includes(Buffer.from([0x88, 0x25])) || before.exif!.includes(Buffer.from([0x25, 0x88]))).toBe(true);
      expect(before.orientation).toBe(6);
      const res = await upload(photo);
      expect(res.status).toBe(201);
      const after = await sharp(await stored(res.body.id)).metadata();
      expect([after.exif, after.xmp, after.iptc, after.orientation]).toEqual([undefined, undefined, undefined, undefined]);
      // Orientation 6 means "turn a quarter to the right": the stored pixels stand upright.
      expect([after.width, after.height]).toEqual([200, 300]);
    });

    it('scales a 6,000 × 4,000 photo to at most 2,048 px and under 1 MB', async () => {
      w = await createTwilioWorld(engine);
      const photo = await camera(6000, 4000);
      expect(photo.length).toBeGreaterThan(MB);
      const res = await upload(photo);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const bytes = await stored(res.body.id);
      expect(res.body.size).toBe(bytes.length);
      expect(bytes.length).toBeLessThan(MB);
      const meta = await sharp(bytes).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 2048, 1365]);
    });

    it('refuses with 422 a file that is not a picture, and a tiny file claiming 50,000 × 50,000 px, with memory bounded', async () => {
      w = await createTwilioWorld(engine);
      const text = await upload(Buffer.from('%PDF-1.4 not a picture'), 'image/jpeg');
      expect(text.status).toBe(422);
      expect(text.body.error.field).toBe('file');

      const bomb = pngClaiming(50_000, 50_000);
      expect(bomb.length).toBeLessThan(200);
      const rss = process.memoryUsage().rss;
      const res = await upload(bomb, 'image/png');
      expect(res.status).toBe(422);
      expect(res.body.error.message).toMatch(/^file: is larger than 50 million pixels/);
      // Decoding it would take 10 GB; what the refusal costs is far below one full-size photo.
      expect(process.memoryUsage().rss - rss).toBeLessThan(100 * MB);
      expect(await w.server.ctx.db.selectFrom('media').selectAll().execute()).toEqual([]);
    });

    it('makes a thumbnail of at most 480 px for an upload, cached by the browser, and the full picture stays', async () => {
      w = await createTwilioWorld(engine);
      const res = await upload(await camera(1600, 1200, 'png'), 'image/png');
      const thumb = await eventually(async () => {
        const t = await w.agent.api.get(`/api/media/${res.body.id}/thumbnail`);
        return t.headers['content-type'] === 'image/webp' && t;
      }, { what: 'the thumbnail' });
      expect(thumb.headers['cache-control']).toBe('private, max-age=86400, immutable');
      const meta = await sharp(thumb.rawPayload).metadata();
      expect([meta.width, meta.height]).toEqual([480, 360]);
      expect((await sharp(await stored(res.body.id)).metadata()).width).toBe(1600);
      expect((await w.anonymous.get(`/api/media/${res.body.id}/thumbnail`)).status).toBe(401);
      const other = await w.addUser('agent');
      expect((await other.api.get(`/api/media/${res.body.id}/thumbnail`)).status).toBe(200);
    });

    it('makes a thumbnail for a picture a customer sends by MMS, and the thread offers it', async () => {
      w = await createTwilioWorld(engine);
      const picture = await camera(1200, 900);
      await w.sim.phoneSend({ from: CUSTOMER_PHONE, to: w.sender.phoneNumber, body: 'My broken part', media: [{ contentType: 'image/jpeg', data: picture }] });
      const media = await eventually(async () => {
        const inbox = await w.agent.api.get('/api/conversations');
        const thread = await w.agent.api.get(`/api/conversations/${inbox.body.items[0].id}/messages`);
        return thread.body.items[0]?.media[0]?.status === 'ready' && thread.body.items[0].media[0];
      }, { what: 'the picture to be downloaded' });
      expect(media.thumbnailUrl).toBe(`/api/media/${media.id}/thumbnail`);
      await eventually(async () => (await w.server.ctx.db.selectFrom('mediaThumbnails').select('mediaId').where('mediaId', '=', media.id).execute()).length === 1, {
        what: 'the thumbnail row',
      });
      const thumb = await w.agent.api.get(media.thumbnailUrl);
      const meta = await sharp(thumb.rawPayload).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['webp', 480, 360]);
      // The customer's own file is kept as it came.
      expect((await stored(media.id)).equals(picture)).toBe(true);
    });
  });
}

/** A photo-like picture: smooth gradients with fine grain, so it compresses like a camera's. */
async function camera(width: number, height: number, format: 'jpeg' | 'png' = 'jpeg'): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  let seed = 7;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const grain = (seed >> 16) % 6;
      const i = (y * width + x) * 3;
      raw[i] = ((x * 255) / width + grain) & 0xff;
      raw[i + 1] = ((y * 255) / height + grain) & 0xff;
      raw[i + 2] = (((x + y) * 128) / (width + height) + grain) & 0xff;
    }
  }
  const image = sharp(raw, { raw: { width, height, channels: 3 } });
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 85 }).toBuffer();
}

/** A valid PNG header claiming a size it does not hold: a decompression bomb's first bytes. */
function pngClaiming(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(64))), chunk('IEND', Buffer.alloc(0))]);
}
