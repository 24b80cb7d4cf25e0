import type { Context } from '../../context.js';
import { fromTwilioStatus } from '../../domain/message-status.js';
import { failureOf } from '../../domain/twilio-errors.js';
import { advanceMessage, presentedMessage, unfinishedOutbound } from '../conversations/service.js';
import { messageEvent } from '../events/app-event.js';
import { publishCommitted } from '../events/publish.js';
import { describeTwilioError, type TwilioClient } from '../twilio/client.js';

/**
 * docs/twilio.md#7-nothing-lost-while-parley-is-down: a sender's outbound messages still queued,
 * sending or sent, accepted by Twilio in (after, until], are fetched from Twilio and take its status,
 * forward only and first final wins, as a status callback would. Returns how many moved.
 * A message Twilio no longer has (deleted from the account) is left as it is.
 */
export async function refreshStatuses(ctx: Context, client: TwilioClient, senderId: string, window: { after: number; until: number }): Promise<number> {
  let moved = 0;
  for (const message of await unfinishedOutbound(ctx.db, senderId, window.after, window.until)) {
    const fetched = await fetchMessage(client, message.twilioSid!);
    const next = fetched && fromTwilioStatus(fetched.status);
    if (!fetched || !next || next === message.status) continue;
    const row = await advanceMessage(ctx.db, message.id, next, { now: ctx.clock.now(), ...failureOf(next, fetched.errorCode, fetched.errorMessage) });
    if (!row) continue;
    moved++;
    await publishCommitted(ctx, [messageEvent('message.updated', row.organizationId, await presentedMessage(ctx.db, row.organizationId, row.id))]);
  }
  return moved;
}

async function fetchMessage(client: TwilioClient, sid: string) {
  try {
    return await client.messages(sid).fetch();
  } catch (err) {
    if (describeTwilioError(err).status === 404) return null;
    throw err;
  }
}
