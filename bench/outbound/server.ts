import { writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import { newId } from '../../src/ids.js';
import { createServer } from '../../src/server.js';
import { statementsSent } from '../common/round-trips.js';
import { benchServerConfig, benchServerOptions } from '../common/server-config.js';
import { accountRow, senderRow } from '../../test/helpers/seed.js';
import type { Figures, FromServer, Progress, ServerEnv, ToServer } from './protocol.js';

/**
 * The real server on its engine, as `npm start` builds it, with one organization, a connected
 * account and several senders whose rates are lifted so the engine, not the rate, is measured.
 * Its worker runs only when the benchmark says so.
 */
const env = process.env as unknown as ServerEnv;
const config = benchServerConfig(env);
const server = await createServer(config, benchServerOptions(env));
const { ctx } = server;
await server.app.listen({ port: config.port, host: '127.0.0.1' });

const signup = await server.app.inject({
  method: 'POST',
  url: '/api/signup',
  payload: { orgName: 'Bench', name: 'Bench Agent', email: 'bench@example.test', password: 'bench-password-1' },
});
const { token, organization } = signup.json() as { token: string; organization: { id: string } };
const now = Date.now();
const accountId = newId(now);
const numbers = env.BENCH_SENDERS.split(',');
const senderIds = numbers.map(() => newId(now));
await ctx.db.transaction().execute(async (tx) => {
  await tx
    .insertInto('twilioAccounts')
    .values(accountRow(ctx.keyring, { id: accountId, organizationId: organization.id, accountSid: env.BENCH_ACCOUNT_SID, authToken: env.BENCH_AUTH_TOKEN, now }))
    .execute();
  for (const [i, phoneNumber] of numbers.entries()) {
    const row = senderRow({ id: senderIds[i]!, organizationId: organization.id, twilioAccountId: accountId, address: phoneNumber, ratePerSecond: Number(env.BENCH_RATE_PER_SECOND), createdAt: now });
    await tx.insertInto('senders').values(row).execute();
  }
});

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * The benchmark polls this every 50 ms while the worker sends. It counts from the metrics the
 * server keeps anyway; the count(*) of pending messages, which cost PostgreSQL about 1.6 ms a
 * poll (a tenth of the dispatch's own statement time, which the floor never paid), runs only
 * when the benchmark asks, to confirm what the counters say.
 */
async function progress(countPending = false): Promise<Progress> {
  const total = async (counter: { get(): Promise<{ values: { value: number }[] }> }) => (await counter.get()).values.reduce((sum, v) => sum + v.value, 0);
  const settled = (await total(ctx.metrics.messagesSent)) + (await total(ctx.metrics.messagesFailed));
  const pending = countPending
    ? Number((await ctx.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow()).n)
    : undefined;
  return { type: 'progress', settled, pending, cpuMs: cpuMs(), now: Date.now(), statements: ctx.database.engine === 'postgres' ? statementsSent() : undefined };
}

async function figures(since: number): Promise<Figures> {
  const rows = await ctx.db
    .selectFrom('messages as m')
    .innerJoin('sendAttempts as a', 'a.messageId', 'm.id')
    .select(['m.createdAt', 'a.finishedAt'])
    .where('a.state', '=', 'accepted')
    .where('m.createdAt', '>=', since)
    .execute();
  return {
    type: 'figures',
    peakRss: process.resourceUsage().maxRSS * 1024,
    accepted: rows.length,
    firstStoredAt: rows.reduce((min, r) => Math.min(min, r.createdAt), Infinity),
    lastAcceptedAt: rows.reduce((max, r) => Math.max(max, r.finishedAt ?? 0), 0),
    enqueueToAcceptedMs: rows.map((r) => (r.finishedAt ?? r.createdAt) - r.createdAt),
  };
}

/* BENCH_PROFILE: a CPU profile of the first measured dispatch phase (not the warm-up), from the worker's start to its stop. */
const profiler = env.BENCH_PROFILE ? new inspector.Session() : null;
profiler?.connect();
const post = (method: string) => new Promise<any>((resolve, reject) => profiler!.post(method, (err, result) => (err ? reject(err) : resolve(result))));

let profiling = false;

async function setWorker(run: boolean, warmUp = false): Promise<void> {
  if (run) {
    if (profiler && env.BENCH_PROFILE && !warmUp) {
      await post('Profiler.enable').then(() => post('Profiler.start'));
      profiling = true;
    }
    server.runner?.start();
    return;
  }
  await server.runner?.stop();
  if (profiling) {
    writeFileSync(env.BENCH_PROFILE!, JSON.stringify((await post('Profiler.stop')).profile));
    profiling = false;
    // process.env keeps strings: assigning undefined would leave "undefined", a file name.
    delete env.BENCH_PROFILE;
  }
}

const send = (m: FromServer) => process.send!(m);
process.on('message', (msg: ToServer) => {
  if (msg.type === 'progress') void progress(msg.countPending).then(send);
  if (msg.type === 'figures') void figures(msg.since).then(send);
  if (msg.type === 'worker') void setWorker(msg.run, msg.warmUp).then(() => send({ type: 'worker', running: msg.run }));
  if (msg.type === 'stop') void server.close().then(() => process.exit(0));
});
send({ type: 'ready', token, senderIds });
