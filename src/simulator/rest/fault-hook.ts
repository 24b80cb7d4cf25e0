import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SimContext } from '../context.js';
import { happens } from '../faults.js';
import { sendTwilioError, serverError } from './errors.js';

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
