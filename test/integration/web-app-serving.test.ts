/** How the built web app is served: security headers. Runs against the real build (built first when stale). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuild } from '../e2e/browser.js';
import { ENGINES, startTestServer, type TestServer } from '../helpers/server.js';

const CSP =
  "default-src 'self';script-src 'self';style-src 'self';img-src 'self' blob: data:;connect-src 'self';object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'";

beforeAll(() => ensureWebBuild(), 120_000);

for (const engine of ENGINES) {
  describe(`serving the web app (${engine})`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(engine);
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
      }
    });

    it('the built page has no inline script or style for the policy to block', async () => {
      const html = (await get('/', { 'accept-encoding': 'identity' })).body;
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style|\sstyle=/);
    });
  });
}
