import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { downloadTwilioMedia, PermanentDownloadError } from '../../src/features/media/twilio-download.js';

const MEDIA_PATH = `/2010-04-01/Accounts/AC${'a'.repeat(32)}/Messages/MM${'b'.repeat(32)}/Media/ME${'c'.repeat(32)}`;

/** A host standing in for Twilio's API and its media CDN: each test says how it answers. */
async function host(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const seen: { path: string; authorization?: string }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ path: req.url!, authorization: req.headers.authorization });
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("downloading a picture from Twilio's media URL", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });
  const options = (origin: string, maxBytes = 1024) => ({ accountSid: `AC${'a'.repeat(32)}`, authToken: 'secret', twilioApiUrl: origin, maxBytes, timeoutMs: 5_000 });
  const start = async (answer: Parameters<typeof host>[0]) => {
    const h = await host(answer);
    close = h.close;
    return h;
  };

  it('follows the redirects to the file, sending the credentials only to the media URL itself', async () => {
    const h = await start((req, res) => {
      if (req.url === MEDIA_PATH) res.writeHead(307, { location: '/cdn/hop' }).end();
      else if (req.url === '/cdn/hop') res.writeHead(302, { location: '/cdn/file.png' }).end('moved');
      else res.writeHead(200, { 'content-type': 'image/png' }).end('picture');
    });
    const bytes = await downloadTwilioMedia(h.origin + MEDIA_PATH, options(h.origin));
    expect(bytes.toString()).toBe('picture');
    expect(h.seen.map((s) => s.path)).toEqual([MEDIA_PATH, '/cdn/hop', '/cdn/file.png']);
    expect(h.seen.map((s) => s.authorization !== undefined)).toEqual([true, false, false]);
  });

  it('gives up, as a failure retrying cannot fix, on a file over the cap whether or not its length is declared', async () => {
    for (const declared of [true, false]) {
      const h = await start((_req, res) => {
        res.writeHead(200, declared ? { 'content-length': '4096' } : {});
        // Undeclared: sent in chunks, the cap is found while reading.
        for (let i = 0; i < 4; i++) res.write(Buffer.alloc(1024));
        res.end();
      });
      const failed = downloadTwilioMedia(h.origin + MEDIA_PATH, options(h.origin, 2048));
      await expect(failed).rejects.toBeInstanceOf(PermanentDownloadError);
      await expect(failed).rejects.toThrow('larger than');
      await h.close();
      close = undefined;
    }
  });

  it('names what went wrong: an error status, a redirect without a Location, a redirect loop', async () => {
    const missing = await start((_req, res) => res.writeHead(404).end('no such media'));
    await expect(downloadTwilioMedia(missing.origin + MEDIA_PATH, options(missing.origin))).rejects.toThrow('the media host answered HTTP 404');
    await missing.close();

    const nowhere = await start((_req, res) => res.writeHead(302).end());
    await expect(downloadTwilioMedia(nowhere.origin + MEDIA_PATH, options(nowhere.origin))).rejects.toThrow('Twilio answered 302 without a Location');
    await nowhere.close();

    const loop = await start((_req, res) => res.writeHead(302, { location: '/again' }).end());
    await expect(downloadTwilioMedia(loop.origin + MEDIA_PATH, options(loop.origin))).rejects.toThrow('too many redirects');
    expect(loop.seen).toHaveLength(6);
  });

  it('refuses a redirect to anything but HTTP, and a URL that is not a media file, without retrying', async () => {
    const h = await start((_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end());
    await expect(downloadTwilioMedia(h.origin + MEDIA_PATH, options(h.origin))).rejects.toThrow(new PermanentDownloadError('redirected to a file: URL'));
    await expect(downloadTwilioMedia(`${h.origin}/somewhere/else`, options(h.origin))).rejects.toBeInstanceOf(PermanentDownloadError);
    expect(h.seen).toHaveLength(1);
  });
});
