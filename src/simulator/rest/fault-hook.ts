import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SimContext } from '../context.js';
import { happens } from '../faults.js';
import { requestAccount } from './auth.js';
import { sendTwilioError, serverError, tooManyRequests } from './errors.js';

/** Random REST faults (5xx and hung requests) for every REST call, before anything is processed. */
export function restFaultHook(ctx: SimContext) {
  return async (_request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const faults = ctx.store.faults;
    if (happens(faults.timeoutRate)) {
      await hangThenDrop(ctx, reply);
      return reply;
    }
    if (happens(faults.serverErrorRate)) return sendTwilioError(reply, serverError());
    return undefined;
  };
}

/**
 * Holds the request open for `hangMs`, then drops the connection without an answer, so the
 * client's own timeout fires first. On stop() the wait ends at once.
 */
export async function hangThenDrop(ctx: SimContext, reply: FastifyReply): Promise<void> {
  reply.hijack();
  await ctx.background.sleep(ctx.store.faults.hangMs).catch(() => undefined);
  reply.raw.destroy();
}

/**
 * What an account's load costs it at Twilio, for every authenticated call: each takes
 * `responseMs` to be answered, and a call beyond `concurrentRequests` of the account's in flight
 * is refused at once with 429 / 20429 (Twilio limits an account's concurrent REST requests, not
 * only its messages a second). One hook for both APIs, so they share the account's count.
 */
export function accountLoadHook(ctx: SimContext) {
  const inFlight = new Map<string, number>();
  const done = (sid: string) => {
    const left = inFlight.get(sid)! - 1;
    if (left > 0) inFlight.set(sid, left);
    else inFlight.delete(sid);
  };
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const { responseMs, concurrentRequests } = ctx.store.faults;
    const { sid } = requestAccount(request);
    const running = inFlight.get(sid) ?? 0;
    if (concurrentRequests !== null && running >= concurrentRequests) return sendTwilioError(reply, tooManyRequests());
    inFlight.set(sid, running + 1);
    // Answered, failed or dropped, the call is no longer in flight.
    reply.raw.once('close', () => done(sid));
    // A stopping simulator answers at once rather than holding its own shutdown.
    if (responseMs > 0) await ctx.background.sleep(responseMs).catch(() => undefined);
    return undefined;
  };
}
