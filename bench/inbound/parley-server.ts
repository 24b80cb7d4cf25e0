import { loadConfig } from '../../src/config.js';
import { newId } from '../../src/ids.js';
import { createServer } from '../../src/server.js';
import { serveParent, type ServerEnv } from './protocol.js';

/** The real server on SQLite, with one organization, a connected account and one support number. */
const env = process.env as unknown as ServerEnv;
const config = loadConfig({
  PORT: env.BENCH_PORT,
  PUBLIC_URL: `http://127.0.0.1:${env.BENCH_PORT}`,
  DATA_DIR: env.BENCH_DATA_DIR,
  TWILIO_API_URL: env.BENCH_TWILIO_API_URL,
  TWILIO_MESSAGING_API_URL: env.BENCH_TWILIO_API_URL,
  LOG_LEVEL: 'error',
});
const server = await createServer(config);
const { ctx } = server;
const now = Date.now();
const organizationId = newId(now);
const accountId = newId(now);
await ctx.db.transaction().execute(async (tx) => {
  await tx.insertInto('organizations').values({ id: organizationId, name: 'Bench', threadingWindowHours: 24, createdAt: now }).execute();
  await tx
    .insertInto('twilioAccounts')
    .values({
      id: accountId,
      organizationId,
      accountSid: env.BENCH_ACCOUNT_SID,
      authTokenSealed: ctx.keyring.encrypt('twilio-token-encryption', env.BENCH_AUTH_TOKEN),
      connectedAt: now,
      connectedBy: null,
      pausedAt: null,
    })
    .execute();
  await tx
    .insertInto('senders')
    .values({
      id: newId(now),
      organizationId,
      twilioAccountId: accountId,
      type: 'phone_number',
      phoneNumber: env.BENCH_SUPPORT_NUMBER,
      shortCode: null,
      messagingServiceSid: null,
      address: env.BENCH_SUPPORT_NUMBER,
      twilioSid: null,
      smsCapable: 1,
      mmsCapable: 1,
      ratePerSecond: 1,
      nextSendAt: 0,
      active: 1,
      createdAt: now,
      removedAt: null,
    })
    .execute();
});
await server.app.listen({ port: config.port, host: '127.0.0.1' });
server.runner?.start();
serveParent(
  async () => Number((await ctx.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
  () => server.close(),
);
process.send!({ type: 'ready', port: config.port });
