import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import twilio from 'twilio';
import { openDatabase, type Database, type Engine } from '../../src/db/database.js';
import { newId } from '../../src/ids.js';
import { createKeyring } from '../../src/secrets.js';
import { createPgDatabase } from './child-server.js';
import { messageSid, WEBHOOK_PATH } from './inbound.js';
import { accountRow, senderRow } from './seed.js';
import { TEST_SECRET } from './server.js';
import { SUPPORT_NUMBER } from './twilio-world.js';

/*
 * Helpers for tests that run the real server as several processes: a database they share, an
 * organization with a connected account, a tiny load balancer, and Twilio-signed webhooks.
 */

export type Cleanup = (() => Promise<void> | void)[];

/** An empty database for child processes, and a handle on it for the test. */
export async function sharedStorage(engine: Engine, cleanup: Cleanup): Promise<{ env: Record<string, string>; database: () => Database; release(): Promise<void> }> {
  let database: Database | undefined;
  /** Closes the test's own handle, e.g. so a restore finds the database free. */
  const release = async () => {
    const d = database;
    database = undefined;
    await d?.destroy();
  };
  if (engine === 'postgres') {
    const pgdb = await createPgDatabase(process.env.TEST_DATABASE_URL!);
    cleanup.push(() => pgdb.drop());
    cleanup.push(release);
    return { env: { DATABASE_URL: pgdb.url, APP_SECRET: TEST_SECRET }, database: () => (database ??= openDatabase({ url: pgdb.url, pgPoolSize: 2 })), release };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-fleet-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanup.push(release);
  return { env: { DATA_DIR: dir, APP_SECRET: TEST_SECRET }, database: () => (database ??= openDatabase({ sqliteFile: path.join(dir, 'parley.db') })), release };
}

export interface Desk {
  token: string;
  organizationId: string;
  accountSid: string;
  authToken: string;
  senderId: string;
}

/**
 * An organization signed up through `url`, with a Twilio account and support number put in
 * place directly (the account is the simulator's when one is given, else made up: webhooks
 * need only its SID and Auth Token).
 */
export async function seedDesk(url: string, database: Database, account?: { sid: string; authToken: string; numberSid?: string }): Promise<Desk> {
  const signup = await fetch(`${url}/api/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orgName: 'Acme', name: 'Ada', email: 'ada@acme.test', password: 'correct horse battery' }),
  });
  if (signup.status !== 201) throw new Error(`signup failed: ${signup.status} ${await signup.text()}`);
  const { token, organization } = (await signup.json()) as { token: string; organization: { id: string } };
  const accountSid = account?.sid ?? `AC${randomBytes(16).toString('hex')}`;
  const authToken = account?.authToken ?? randomBytes(16).toString('hex');
  const now = Date.now();
  const accountId = newId(now);
  const senderId = newId(now);
  await database.db.insertInto('twilioAccounts').values(accountRow(createKeyring(TEST_SECRET), { id: accountId, organizationId: organization.id, accountSid, authToken, now })).execute();
  await database.db
    .insertInto('senders')
    .values(senderRow({ id: senderId, organizationId: organization.id, twilioAccountId: accountId, address: SUPPORT_NUMBER, twilioSid: account?.numberSid ?? `PN${randomBytes(16).toString('hex')}`, createdAt: now }))
    .execute();
  return { token, organizationId: organization.id, accountSid, authToken, senderId };
}

/** Posts one inbound text as Twilio would, signed for `publicUrl`, to `target` (a proxy or a process). */
export async function postSignedWebhook(target: string, publicUrl: string, desk: Desk, from: string, body: string) {
  const params = { MessageSid: messageSid(), AccountSid: desk.accountSid, From: from, To: SUPPORT_NUMBER, Body: body, NumMedia: '0', NumSegments: '1', ApiVersion: '2010-04-01' };
  const signature = twilio.getExpectedTwilioSignature(desk.authToken, publicUrl + WEBHOOK_PATH, params);
  try {
    const res = await fetch(target + WEBHOOK_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
    await res.arrayBuffer();
    return { sid: params.MessageSid, status: res.status };
  } catch (err) {
    return { sid: params.MessageSid, status: 0, error: String(err) };
  }
}

export interface Proxy {
  url: string;
  /** Requests it had to try on another backend (or again) because a connection failed before any answer. */
  retried(): number;
  close(): Promise<void>;
}

/**
 * A round-robin load balancer in a few lines, behaving as nginx with `proxy_next_upstream
 * error` does: a request whose connection is refused or reset before any answer goes to the
 * next backend, round after round, until `giveUpMs`. Connections to backends are kept alive,
 * as a real balancer's are, so a stopping process's idle connections are exercised too.
 */
export async function startProxy(backends: string[], giveUpMs = 30_000): Promise<Proxy> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  let next = 0;
  let retried = 0;
  const forward = (backend: string, req: http.IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const out = http.request(backend + req.url, { method: req.method, headers: { ...req.headers, host: new URL(backend).host }, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      out.on('error', reject);
      out.end(body);
    });
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const deadline = Date.now() + giveUpMs;
    for (let attempt = 0; ; attempt++) {
      const backend = backends[next++ % backends.length]!;
      try {
        const answer = await forward(backend, req, body);
        const { connection: _c, 'keep-alive': _k, 'transfer-encoding': _t, ...headers } = answer.headers;
        res.writeHead(answer.status, headers).end(answer.body);
        return;
      } catch {
        retried++;
        if (Date.now() > deadline) return void res.writeHead(502).end('no backend answered');
        // Every backend refused: wait a moment for one to come back, as a balancer's fail timeout does.
        if (attempt % backends.length === backends.length - 1) await new Promise((r) => setTimeout(r, 50));
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    retried: () => retried,
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
