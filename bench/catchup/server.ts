import { runCatchup } from '../../src/features/catchup/service.js';
import { newId } from '../../src/ids.js';
import { createServer } from '../../src/server.js';
import { accountRow, senderRow } from '../../test/helpers/seed.js';
import { benchServerConfig, benchServerOptions } from '../common/server-config.js';
import type { FromServer, ServerEnv, ToServer } from './protocol.js';

/**
 * The real server on its engine, as `npm start` builds it, with one organization, a connected account
 * and its senders. Its job runner stays stopped, so the one catch-up run the benchmark asks for is
 * the only work measured (the picture downloads it enqueues wait).
 */
const env = process.env as unknown as ServerEnv;
const config = benchServerConfig(env);
const server = await createServer(config, benchServerOptions(env));
const { ctx } = server;

const signup = await server.app.inject({
  method: 'POST',
  url: '/api/signup',
  payload: { orgName: 'Bench', name: 'Bench Admin', email: 'bench@example.test', password: 'bench-password-1' },
});
const { organization } = signup.json() as { organization: { id: string } };
const now = Date.now();
const accountId = newId(now);
await ctx.db.transaction().execute(async (tx) => {
  await tx
    .insertInto('twilioAccounts')
    .values(accountRow(ctx.keyring, { id: accountId, organizationId: organization.id, accountSid: env.BENCH_ACCOUNT_SID, authToken: env.BENCH_AUTH_TOKEN, now }))
    .execute();
  for (const phoneNumber of env.BENCH_SENDERS.split(',')) {
    await tx.insertInto('senders').values(senderRow({ organizationId: organization.id, twilioAccountId: accountId, address: phoneNumber, createdAt: now })).execute();
  }
});

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function run(): Promise<FromServer> {
  const cpuBefore = cpuMs();
  const started = performance.now();
  const results = await runCatchup(ctx, async () => {});
  const durationMs = performance.now() - started;
  const count = await ctx.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return {
    type: 'ran',
    durationMs,
    listed: results.reduce((n, r) => n + r.listed, 0),
    stored: results.reduce((n, r) => n + r.stored, 0),
    failedSenders: results.filter((r) => r.error !== null).length,
    messagesInDatabase: Number(count.n),
    rss: process.memoryUsage().rss,
    peakRss: process.resourceUsage().maxRSS * 1024,
    cpuMs: cpuMs() - cpuBefore,
  };
}

const send = (m: FromServer) => process.send!(m);
process.on('message', (msg: ToServer) => {
  if (msg.type === 'run') void run().then(send);
  if (msg.type === 'stop') void server.close().then(() => process.exit(0));
});
send({ type: 'ready' });
