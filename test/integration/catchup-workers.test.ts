import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { newId } from '../../src/ids.js';
import { createKeyring } from '../../src/secrets.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { eventually } from '../helpers/api.js';
import { createPgDatabase, startChildServer, type ChildServer } from '../helpers/child-server.js';
import { accountRow, senderRow } from '../helpers/seed.js';
import { ENGINES, TEST_SECRET } from '../helpers/server.js';
import { CUSTOMER_PHONE, freePort, SUPPORT_NUMBER } from '../helpers/twilio-world.js';

/*
 * docs/twilio.md#nothing-lost-while-parley-is-down: however many worker processes share a PostgreSQL
 * database, the catch-up runs on one of them at a time, once per CATCHUP_SECONDS.
 */
if (ENGINES.includes('postgres')) {
  describe('catch-up with two worker processes (postgres)', () => {
    const cleanup: (() => Promise<void> | void)[] = [];
    afterEach(async () => {
      for (const step of cleanup.reverse()) await step();
      cleanup.length = 0;
    });

    it('runs once per period, never two at once, and stores each message once', async () => {
      const sim = await startSimulator();
      cleanup.push(() => sim.stop());
      const pgdb = await createPgDatabase(process.env.TEST_DATABASE_URL!);
      cleanup.push(() => pgdb.drop());
      const env = { DATABASE_URL: pgdb.url, APP_SECRET: TEST_SECRET, TWILIO_API_URL: sim.url, TWILIO_MESSAGING_API_URL: sim.url, CATCHUP_SECONDS: '1', LOG_LEVEL: 'info' };
      const first = await startChildServer(env, await freePort());
      cleanup.push(() => first.stop());
      const database = openDatabase({ url: pgdb.url, pgPoolSize: 2 });
      cleanup.push(() => database.destroy());
      await connectWorld(first, sim, database);
      const second = await startChildServer(env, await freePort());
      cleanup.push(() => second.stop());
      const bothUp = Date.now();

      // The number keeps Twilio's demo URL: these texts exist only in Twilio's list.
      const sids = [];
      for (const body of ['first', 'second']) sids.push((await sim.phoneSend({ from: CUSTOMER_PHONE, to: SUPPORT_NUMBER, body })).messageSid);

      const runs = await eventually(() => {
        const after = [...catchupRuns(first), ...catchupRuns(second)].filter((r) => r.start > bothUp).sort((a, b) => a.start - b.start);
        return after.length >= 5 && after;
      }, { what: `five catch-up runs\n${first.output()}\n${second.output()}`, timeoutMs: 30_000 });

      // The first run after both started may be the one the second's start brought forward; from then on,
      // each run begins a whole period after the previous one ended, whichever process ran it.
      const steady = runs.slice(1);
      for (let i = 1; i < steady.length; i++) expect(steady[i]!.start).toBeGreaterThanOrEqual(steady[i - 1]!.end + 1000);
      for (const sid of sids) {
        const stored = await database.db.selectFrom('messages').select('id').where('twilioSid', '=', sid).execute();
        expect(stored).toHaveLength(1);
      }
    }, 90_000);
  });
}

/** The catch-up runs a process logged: when each began and when it ended. */
function catchupRuns(server: ChildServer): { start: number; end: number }[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.includes('"catch-up run finished"'))
    .map((line) => JSON.parse(line) as { time: number; catchup: { startedAt: string } })
    .map((entry) => ({ start: Date.parse(entry.catchup.startedAt), end: entry.time }));
}

/** An organization (through the API), and its Twilio account and support number (into the database). */
async function connectWorld(server: ChildServer, sim: Simulator, database: Database): Promise<void> {
  const signup = await fetch(`${server.url}/api/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orgName: 'Acme', name: 'Ada', email: 'ada@acme.test', password: 'correct horse battery' }),
  });
  const { organization } = (await signup.json()) as { organization: { id: string } };
  const account = sim.createAccount();
  const number = sim.addIncomingNumber(account.sid, SUPPORT_NUMBER);
  const accountId = newId();
  const keyring = createKeyring(TEST_SECRET);
  await database.db.insertInto('twilioAccounts').values(accountRow(keyring, { id: accountId, organizationId: organization.id, accountSid: account.sid, authToken: account.authToken })).execute();
  await database.db.insertInto('senders').values(senderRow({ organizationId: organization.id, twilioAccountId: accountId, address: SUPPORT_NUMBER, twilioSid: number.sid })).execute();
}
