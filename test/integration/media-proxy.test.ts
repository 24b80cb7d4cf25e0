import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/api.js';
import { PNG } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { CUSTOMER_PHONE, createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';

/** A forward proxy for plain http:// targets (absolute-form requests), counting what passes. */
async function startCountingProxy() {
  const passed: string[] = [];
  const server = http.createServer((req, res) => {
    passed.push(`${req.method} ${req.url}`);
    const upstream = http.request(req.url!, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    passed,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const PROXY_VARS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'] as const;

/*
 * docs/twilio.md: media downloads honour HTTP(S)_PROXY and NO_PROXY as the twilio client does. Loopback
 * is not exempt from the proxy (only NO_PROXY exempts a host), so the simulator on 127.0.0.1 is
 * reached through the proxy here.
 */
describe('media downloads behind an HTTP proxy', () => {
  let proxy: Awaited<ReturnType<typeof startCountingProxy>>;
  const saved = Object.fromEntries(PROXY_VARS.map((v) => [v, process.env[v]]));
  beforeAll(async () => {
    proxy = await startCountingProxy();
    for (const v of PROXY_VARS) delete process.env[v];
    process.env.HTTP_PROXY = proxy.url;
  });
  afterAll(async () => {
    for (const v of PROXY_VARS) if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
    await proxy.stop();
  });

  for (const engine of ENGINES) {
    describe(engine, () => {
      let world: TwilioWorld;
      afterEach(async () => {
        delete process.env.NO_PROXY;
        await world?.destroy();
      });

      const mediaState = async () => (await world.server.ctx.db.selectFrom('media').select(['status', 'size']).execute()).map((m) => `${m.status} ${m.size}`);
      const receivePicture = async () => {
        const before = (await world.server.ctx.db.selectFrom('media').select('id').execute()).length;
        expect((await world.sim.phoneSend({ from: CUSTOMER_PHONE, to: world.sender.phoneNumber, media: [{ contentType: 'image/png', data: PNG }] })).webhookStatus).toBe(200);
        await eventually(async () => (await mediaState()).filter((s) => s === `ready ${PNG.length}`).length === before + 1, { what: 'the picture to be downloaded' });
      };

      it('fetches Twilio media and follows its redirect through HTTP_PROXY; NO_PROXY exempts a host', async () => {
        world = await createTwilioWorld(engine);
        proxy.passed.length = 0;
        await receivePicture();
        const media = proxy.passed.filter((p) => p.includes('/Media/ME') || p.startsWith(`GET ${world.sim.mediaHostUrl}`));
        // The Media URL on Twilio's API host, then the redirect to its media host: both through the proxy.
        expect(media).toEqual([expect.stringMatching(new RegExp(`^GET ${world.sim.url}/2010-04-01/Accounts/AC\\w+/Messages/MM\\w+/Media/ME\\w+$`)), expect.stringMatching(new RegExp(`^GET ${world.sim.mediaHostUrl}/`))]);

        process.env.NO_PROXY = '127.0.0.1';
        proxy.passed.length = 0;
        await receivePicture();
        expect(proxy.passed).toEqual([]);
      });
    });
  }
});
