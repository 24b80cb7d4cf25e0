import type { Context } from '../../context.js';
import type { AppEvent } from './app-event.js';

/**
 * Publishes events about a change that is already committed; nulls (nothing to tell) are
 * skipped. A failure here must not turn a stored change into an error answer (Twilio would
 * retry a message we kept), so it is logged: clients catch up on their next read.
 */
export async function publishCommitted(ctx: Context, built: (AppEvent | null)[]): Promise<void> {
  const events = built.filter((e): e is AppEvent => e !== null);
  if (events.length === 0) return;
  try {
    await ctx.events.publish(events);
  } catch (err) {
    ctx.log.error({ err, types: events.map((e) => e.type) }, 'publishing events failed');
  }
}
