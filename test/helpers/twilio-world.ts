import net from 'node:net';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { newId } from '../../src/ids.js';
import { accountRow, senderRow } from './seed.js';
import type { TestServerOptions } from './server.js';
import type { Engine } from './server.js';
import { createWorld, type World } from './world.js';

export interface TwilioWorld extends World {
  sim: Simulator;
  /** The app's real address: the simulator posts webhooks here. */
  publicUrl: string;
  account: { id: string; sid: string; authToken: string };
  /** A long-code sender already added, its SmsUrl pointing at the app. */
  sender: { id: string; phoneNumber: string };
}

export const SUPPORT_NUMBER = '+14155550100';
export const CUSTOMER_PHONE = '+14155550199';

/**
 * A port nobody holds, for a server whose URL must be known before it listens. Drawn below
 * Linux's ephemeral range (32768+), so no other test's `listen(0)` can take it between this
 * check and our own bind.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canBind(port)) return port;
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A world whose app listens on a real port, with the simulator as Twilio, a connected account
 * and one support number. The account and sender are put in place directly (not through the
 * integration API), so tests of other features do not depend on that API's details.
 */
export async function createTwilioWorld(
  engine: Engine,
  options: TestServerOptions & { connect?: boolean; sim?: Simulator } = {},
): Promise<TwilioWorld> {
  const sim = options.sim ?? (await startSimulator());
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const world = await createWorld(engine, {
    ...options,
    env: { PUBLIC_URL: publicUrl, TWILIO_API_URL: sim.url, TWILIO_MESSAGING_API_URL: sim.url, ...options.env },
  });
  await world.server.app.listen({ port, host: '127.0.0.1' });
  world.server.runner?.start();

  const created = sim.createAccount();
  const account = { id: newId(), sid: created.sid, authToken: created.authToken };
  const sender = { id: newId(), phoneNumber: SUPPORT_NUMBER };
  const number = sim.addIncomingNumber(account.sid, SUPPORT_NUMBER, { smsUrl: `${publicUrl}/webhooks/twilio/messages` });
  if (options.connect !== false) {
    const { ctx } = world.server;
    const now = Date.now();
    await ctx.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('twilioAccounts')
        .values(accountRow(ctx.keyring, { id: account.id, organizationId: world.organizationId, accountSid: account.sid, authToken: account.authToken, connectedBy: world.admin.id, now }))
        .execute();
      await tx
        .insertInto('senders')
        .values(senderRow({ id: sender.id, organizationId: world.organizationId, twilioAccountId: account.id, address: SUPPORT_NUMBER, twilioSid: number.sid, createdAt: now }))
        .execute();
    });
  }
  return {
    ...world,
    sim,
    publicUrl,
    account,
    sender,
    /**
     * Stops its own simulator before the app: a status callback still in flight would otherwise
     * hold its keep-alive connection, and the app's close, for Fastify's keepAliveTimeout (72 s).
     */
    async destroy() {
      if (!options.sim) await sim.stop();
      await world.destroy();
    },
  };
}
