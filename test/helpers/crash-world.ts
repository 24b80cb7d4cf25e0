import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database, type Engine } from '../../src/db/database.js';
import { newId } from '../../src/ids.js';
import { createKeyring } from '../../src/secrets.js';
import type { Simulator } from '../../src/simulator/index.js';
import { createPgDatabase, type ChildServer } from './child-server.js';
import { accountRow, senderRow } from './seed.js';
import { TEST_SECRET } from './server.js';
import { SUPPORT_NUMBER } from './twilio-world.js';

/* For tests that kill a real server process (test/helpers/child-server.ts) and start it again on the same data. */

export const SENDER_ID = newId();

/** The server's database, empty, and a handle on it for the test. */
export async function storage(engine: Engine, cleanup: (() => Promise<void> | void)[]): Promise<{ env: Record<string, string>; database: () => Database }> {
  let database: Database | undefined;
  if (engine === 'postgres') {
    const pgdb = await createPgDatabase(process.env.TEST_DATABASE_URL!);
    cleanup.push(() => pgdb.drop());
    cleanup.push(() => database?.destroy());
    return { env: { DATABASE_URL: pgdb.url }, database: () => (database ??= openDatabase({ url: pgdb.url, pgPoolSize: 2 })) };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-crash-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanup.push(() => database?.destroy());
  return { env: { DATA_DIR: dir }, database: () => (database ??= openDatabase({ sqliteFile: path.join(dir, 'parley.db') })) };
}

/** An organization (through the API), and its Twilio account and support number (into the database). */
export async function connectWorld(server: ChildServer, sim: Simulator, database: Database): Promise<{ token: string; account: { sid: string; authToken: string } }> {
  const signup = await fetch(`${server.url}/api/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orgName: 'Acme', name: 'Ada', email: 'ada@acme.test', password: 'correct horse battery' }),
  });
  const { token, organization } = (await signup.json()) as { token: string; organization: { id: string } };
  const account = sim.createAccount();
  const number = sim.addIncomingNumber(account.sid, SUPPORT_NUMBER, { smsUrl: `${server.url}/webhooks/twilio/messages` });
  const now = Date.now();
  const accountId = newId();
  const keyring = createKeyring(TEST_SECRET);
  await database.db.insertInto('twilioAccounts').values(accountRow(keyring, { id: accountId, organizationId: organization.id, accountSid: account.sid, authToken: account.authToken, now })).execute();
  await database.db
    .insertInto('senders')
    .values(senderRow({ id: SENDER_ID, organizationId: organization.id, twilioAccountId: accountId, address: SUPPORT_NUMBER, twilioSid: number.sid, createdAt: now }))
    .execute();
  return { token, account };
}
