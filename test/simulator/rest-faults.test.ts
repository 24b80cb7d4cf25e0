import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientFor, startWorld, twilioError, waitFor, type World } from './helpers.js';

const DESK = '+14155550100';
const CUSTOMER = '+14155550123';

describe('REST fault injection', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
    w.sim.addIncomingNumber(w.accountSid, DESK);
  });
  afterEach(() => w.sim.stop());

  const send = (client = w.client) => client.messages.create({ to: CUSTOMER, from: DESK, body: 'hello' });

  it('answers 500 with error 20500 at the configured rate, on any resource', async () => {
    w.sim.setFaults({ serverErrorRate: 1 });
    const error = await twilioError(send());
    expect([error.status, error.code]).toEqual([500, 20500]);
    expect((await twilioError(w.client.incomingPhoneNumbers.list())).status).toBe(500);
    expect(w.sim.messages()).toEqual([]);
    w.sim.resetFaults();
    await expect(send()).resolves.toMatchObject({ status: 'queued' });
  });

  it('takes responseMs to answer every REST call, as Twilio across a network does', async () => {
    w.sim.setFaults({ responseMs: 400 });
    const started = Date.now();
    await Promise.all([send(), w.client.incomingPhoneNumbers.list()]);
    // Two calls at once wait side by side, not one after the other (which would take 800 ms).
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(400);
    expect(took).toBeLessThan(800);
    w.sim.resetFaults();
  });

  it("refuses an account's calls beyond concurrentRequests in flight with 429 / 20429, and takes them again once one is answered", async () => {
    w.sim.setFaults({ responseMs: 300, concurrentRequests: 2 });
    const outcomes = await Promise.allSettled([send(), send(), send()]);
    const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => (o.reason as { status: number; code: number }));
    expect(refused.map((e) => [e.status, e.code])).toEqual([[429, 20429]]);
    expect(w.sim.messages()).toHaveLength(2);
    // All three answered: nothing is in flight, so the next call is taken.
    await expect(send()).resolves.toMatchObject({ status: 'queued' });
    // Another account's calls are its own.
    const other = w.sim.createAccount();
    w.sim.setFaults({ concurrentRequests: 1, responseMs: 300 });
    const mine = w.client.incomingPhoneNumbers.list();
    await expect(clientFor(w.sim, other.sid, other.authToken).incomingPhoneNumbers.list()).resolves.toEqual([]);
    await mine;
    w.sim.resetFaults();
  });

  it('hangs requests until the client times out, without creating anything', async () => {
    w.sim.setFaults({ timeoutRate: 1, hangMs: 60_000 });
    const impatient = clientFor(w.sim, w.accountSid, w.authToken, 200);
    const error = (await twilioError(send(impatient))) as unknown as { code: string };
    expect(error.code).toBe('ECONNABORTED');
    expect(w.sim.messages()).toEqual([]);
  });

  it('drops the connection after hangMs when the client waits longer', async () => {
    w.sim.setFaults({ timeoutRate: 1, hangMs: 10 });
    const error = (await twilioError(send())) as unknown as { code: string };
    expect(error.code).toBe('ECONNRESET');
  });

  it('accept-then-timeout: the message is created and sent, but the answer never reaches the client', async () => {
    w.sim.setFaults({ acceptThenTimeoutRate: 1, hangMs: 60_000 });
    const impatient = clientFor(w.sim, w.accountSid, w.authToken, 200);
    const error = (await twilioError(send(impatient))) as unknown as { code: string };
    expect(error.code).toBe('ECONNABORTED');
    w.sim.resetFaults();
    // What the product does next: list messages to that recipient and find it.
    const [found] = await w.client.messages.list({ to: CUSTOMER });
    expect(found).toMatchObject({ from: DESK, body: 'hello' });
    expect(w.sim.messages()).toHaveLength(1);
    await waitFor(() => w.sim.phoneInbox(CUSTOMER).length === 1, 'delivery of the accepted message');
  });

  it('accept-then-timeout answers late when the client waits long enough', async () => {
    w.sim.setFaults({ nextCreateFaults: ['accept-then-timeout'], hangMs: 20 });
    await expect(send()).resolves.toMatchObject({ status: 'queued' });
  });

  it('applies queued faults to the next creates, in order', async () => {
    w.sim.setFaults({ nextCreateFaults: ['server-error', 'rate-limit', 'queue-full'] });
    expect((await twilioError(send())).code).toBe(20500);
    const limited = await twilioError(send());
    expect([limited.status, limited.code]).toEqual([429, 20429]);
    const queueFull = await twilioError(send());
    expect([queueFull.status, queueFull.code]).toEqual([400, 21611]);
    await expect(send()).resolves.toMatchObject({ status: 'queued' });
    expect(w.sim.messages()).toHaveLength(1);
  });

  it('answers 429 with 20429 beyond the messages-per-second limit', async () => {
    w.sim.setFaults({ messagesPerSecond: 1 });
    const outcomes: (number | 'created')[] = [];
    // Twenty creates cannot all be a second apart, so some must be refused; no timing is asserted.
    for (let i = 0; i < 20; i++) {
      outcomes.push(await send().then(() => 'created' as const, (e: { code: number }) => e.code));
    }
    expect(outcomes).toContain(20429);
    expect(outcomes[0]).toBe('created');
    expect(w.sim.messages()).toHaveLength(outcomes.filter((o) => o === 'created').length);
  });
});
