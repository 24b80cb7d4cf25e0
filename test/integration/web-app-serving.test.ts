/**
 * How the built web app is served: security headers, pre-compressed files, cache lifetimes,
 * and no source maps. Runs against the real build (built first when stale).
 */
import Fastify from 'fastify';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWebApp, webDistDir } from '../../src/http/static.js';
import { ensureWebBuild } from '../e2e/browser.js';
import { ENGINES, startTestServer, type TestServer } from '../helpers/server.js';

const CSP =
  "default-src 'self';script-src 'self';style-src 'self';img-src 'self' blob: data:;connect-src 'self';object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'";

beforeAll(() => ensureWebBuild(), 120_000);

for (const engine of ENGINES) {
  describe(`serving the web app (${engine})`, () => {
    let server: TestServer;
    let script: string;
    beforeAll(async () => {
      server = await startTestServer(engine);
      script = readdirSync(path.join(webDistDir()!, 'assets')).find((f) => f.endsWith('.js'))!;
    });
    afterAll(() => server?.destroy());

    const get = (url: string, headers: Record<string, string> = {}) => server.app.inject({ method: 'GET', url, headers });

    it('the page carries a strict Content-Security-Policy and the other security headers', async () => {
      for (const url of ['/', '/conversations/abc']) {
        const res = await get(url);
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toContain('text/html');
        expect(res.headers['content-security-policy']).toBe(CSP);
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        // TLS ends at the deployment's proxy, which decides on HSTS.
        expect(res.headers['strict-transport-security']).toBeUndefined();
      }
    });

    it('the built page has no inline script or style for the policy to block', async () => {
      const html = (await get('/', { 'accept-encoding': 'identity' })).body;
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style|\sstyle=/);
    });

    it('hashed assets are cached for a year; index.html and client-side routes are revalidated', async () => {
      expect((await get(`/assets/${script}`)).headers['cache-control']).toBe('public, max-age=31536000, immutable');
      for (const url of ['/', '/index.html', '/conversations/abc']) expect((await get(url)).headers['cache-control']).toBe('no-cache');
    });

    it('sends the brotli or gzip copy the browser accepts, and it unpacks to the original', async () => {
      for (const url of [`/assets/${script}`, '/']) {
        const plain = await get(url, { 'accept-encoding': 'identity' });
        expect(plain.headers['content-encoding']).toBeUndefined();
        const br = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
        expect(br.headers['content-encoding']).toBe('br');
        expect(br.headers.vary).toContain('accept-encoding');
        expect(brotliDecompressSync(br.rawPayload).equals(plain.rawPayload)).toBe(true);
        const gz = await get(url, { 'accept-encoding': 'gzip' });
        expect(gz.headers['content-encoding']).toBe('gzip');
        expect(gunzipSync(gz.rawPayload).equals(plain.rawPayload)).toBe(true);
        expect(br.headers['content-type']).toBe(plain.headers['content-type']);
        expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
      }
    });

    it('publishes no source maps', async () => {
      const files = readdirSync(webDistDir()!, { recursive: true }).map(String);
      expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
      expect((await get(`/assets/${script}`, { 'accept-encoding': 'identity' })).body).not.toContain('sourceMappingURL');
      expect((await get(`/assets/${script}.map`)).statusCode).toBe(404);
      // The compressed copies are not addresses of their own, and a missing asset is no page.
      expect((await get(`/assets/${script}.br`)).statusCode).toBe(404);
      expect((await get('/assets/missing.js')).statusCode).toBe(404);
    });
  });
}

describe('a build that holds a source map', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'parley-web-'));
    mkdirSync(path.join(root, 'assets'));
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(path.join(root, 'assets/app-1234.js'), 'console.log(1)\n//# sourceMappingURL=app-1234.js.map');
    writeFileSync(path.join(root, 'assets/app-1234.js.map'), '{"version":3,"sources":["secret.ts"]}');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('does not serve it', async () => {
    const app = Fastify();
    await registerWebApp(app, root);
    expect((await app.inject({ method: 'GET', url: '/assets/app-1234.js' })).statusCode).toBe(200);
    const map = await app.inject({ method: 'GET', url: '/assets/app-1234.js.map' });
    expect(map.statusCode).toBe(404);
    expect(map.body).not.toContain('secret.ts');
    expect(readFileSync(path.join(root, 'assets/app-1234.js.map'), 'utf8')).toContain('secret.ts');
    await app.close();
  });
});
