import { newId } from '../../src/ids.js';
import { createServer } from '../../src/server.js';
import { statementsSent } from '../common/round-trips.js';
import { benchServerConfig, benchServerOptions } from '../common/server-config.js';
import { accountRow, senderRow } from '../../test/helpers/seed.js';
import { serveParent, type ServerEnv } from './protocol.js';

/**
 * The real server on its engine, with one organization, a connected account and one support
 * number. A further process of the same site (BENCH_SEEDED=1, PostgreSQL) finds them stored.
 */
const env = process.env as unknown as ServerEnv;
const config = benchServerConfig(env);
const server = await createServer(config, benchServerOptions(env));
const { ctx } = server;
const now = Date.now();
const organizationId = newId(now);
const accountId = newId(now);
if (!env.BENCH_SEEDED) await ctx.db.transaction().execute(async (tx) => {
  await tx.insertInto('organizations').values({ id: organizationId, name: 'Bench', threadingWindowHours: 24, createdAt: now }).execute();
  await tx
    .insertInto('twilioAccounts')
    .values(accountRow(ctx.keyring, { id: accountId, organizationId, accountSid: env.BENCH_ACCOUNT_SID, authToken: env.BENCH_AUTH_TOKEN, now }))
    .execute();
  await tx.insertInto('senders').values(senderRow({ organizationId, twilioAccountId: accountId, address: env.BENCH_SUPPORT_NUMBER, createdAt: now })).execute();
});
await server.app.listen({ port: config.port, host: '127.0.0.1' });
server.runner?.start();
serveParent(
  async () => Number((await ctx.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
  () => server.close(),
  ctx.database.engine === 'postgres' ? statementsSent : undefined,
);
process.send!({ type: 'ready', port: config.port });
