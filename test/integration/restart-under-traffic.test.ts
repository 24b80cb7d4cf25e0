/**
 * docs/operations.md#stopping-and-restarting: a process stopped with SIGTERM while webhooks keep
 * coming answers none of them with a 5xx and loses none it acknowledged. On PostgreSQL two
 * processes take turns behind a load balancer and every webhook is stored; on SQLite (one
 * process) the balancer holds requests while the process restarts.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { PNG } from '../helpers/inbound.js';
import { eventually } from '../helpers/api.js';
import { startChildServer, type ChildServer } from '../helpers/child-server.js';
import { postSignedWebhook, seedDesk, sharedStorage, startProxy, type Cleanup } from '../helpers/fleet.js';
import { ENGINES } from '../helpers/server.js';
import { freePort } from '../helpers/twilio-world.js';

/** Twilio's pace in the issue that found the 503s: 20 webhooks a second. */
const INTERVAL_MS = 50;

for (const engine of ENGINES) {
  describe(`restarting under steady webhook traffic (${engine})`, () => {
    const cleanup: Cleanup = [];
    afterEach(async () => {
      for (const step of cleanup.reverse()) await step();
      cleanup.length = 0;
    });

    it('answers every webhook 200 and stores every one, through SIGTERM and restart of each process', async () => {
      const { env, database } = await sharedStorage(engine, cleanup);
      const count = engine === 'postgres' ? 2 : 1;
      const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
      const proxy = await startProxy(ports.map((p) => `http://127.0.0.1:${p}`), 90_000);
      cleanup.push(() => proxy.close());
      // The desk's account is made up and no Twilio is needed here: the catch-up's calls go to a
      // closed local port and are refused at once, never to the real Twilio.
      const serverEnv = { ...env, PUBLIC_URL: proxy.url, TWILIO_API_URL: `http://127.0.0.1:${await freePort()}` };
      const servers: ChildServer[] = [];
      for (const port of ports) servers.push(await startChildServer(serverEnv, port, 60_000));
      cleanup.push(() => Promise.all(servers.map((s) => s.stop())).then(() => undefined));
      const desk = await seedDesk(servers[0]!.url, database());

      const results: Promise<{ sid: string; status: number; error?: string }>[] = [];
      let n = 0;
      const traffic = setInterval(() => results.push(postSignedWebhook(proxy.url, proxy.url, desk, `+1415555${String(1000 + (n % 50))}`, `text ${n++}`)), INTERVAL_MS);
      cleanup.push(() => clearInterval(traffic));
      const sent = (atLeast: number) => eventually(() => results.length >= atLeast, { what: `${atLeast} webhooks sent`, timeoutMs: 60_000 });

      await sent(20);
      for (let i = 0; i < servers.length; i++) {
        const stopping = servers[i]!;
        const exit = new Promise<number | null>((resolve) => stopping.process.once('exit', (code) => resolve(code)));
        // A burst lands as the signal does, and an agent's slow upload keeps the process
        // draining for a while: requests keep arriving on its busy keep-alive connections.
        const upload = await slowUpload(stopping.url, desk.token);
        for (let b = 0; b < 20; b++) results.push(postSignedWebhook(proxy.url, proxy.url, desk, '+14155552000', `burst ${i}.${b}`));
        stopping.process.kill('SIGTERM');
        setTimeout(upload.finish, 1500);
        expect(await upload.status).toBe(201);
        expect(await exit, stopping.output()).toBe(0);
        expect(stopping.output()).not.toContain('"level":50');
        servers[i] = await startChildServer(serverEnv, ports[i]!, 60_000);
        await sent(results.length + 20);
      }
      clearInterval(traffic);
      const answered = await Promise.all(results);

      expect(answered.filter((r) => r.status !== 200)).toEqual([]);
      const sids = answered.map((r) => r.sid);
      const stored = await database().db.selectFrom('messages').select('twilioSid').where('twilioSid', 'in', sids).execute();
      expect(stored.length).toBe(sids.length);
    }, 400_000);
  });
}

/** A picture uploaded over a slow link: the request stays in flight until finish() sends the rest. */
async function slowUpload(baseUrl: string, token: string) {
  const boundary = 'parleyboundary';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.png"\r\nContent-Type: image/png\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = Buffer.concat([head, PNG, tail]);
  const req = http.request(`${baseUrl}/api/media`, {
    method: 'POST',
    agent: false,
    headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length },
  });
  const status = new Promise<number>((resolve, reject) => {
    req.once('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
  });
  const half = head.length + 10;
  req.write(body.subarray(0, half));
  await new Promise<void>((resolve) => req.once('socket', (s) => (s.connecting ? s.once('connect', () => resolve()) : resolve())));
  return { status, finish: () => req.end(body.subarray(half)) };
}
