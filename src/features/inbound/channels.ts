import type { Context } from '../../context.js';
import { channelOf } from '../../domain/channels.js';
import { maskSid, type ConnectedAccount } from '../twilio/accounts.js';

/** A message on a channel Parley does not serve (WhatsApp, Messenger, RCS…), with what the log names. */
export interface UnservedMessage {
  channel: string;
  accountSid: string;
  from: string;
  to: string;
}

/**
 * docs/twilio.md: traffic of another channel reaching Parley's webhook is not SMS. Nothing is stored,
 * and the webhook still answers 200 so Twilio does not record an error for every message.
 */
export function unservedChannel(account: Pick<ConnectedAccount, 'accountSid'>, m: { from: string; to: string }): UnservedMessage | null {
  const channel = channelOf(m.from) ?? channelOf(m.to);
  return channel ? { channel, accountSid: account.accountSid, from: m.from, to: m.to } : null;
}

const WARN_EVERY_MS = 3_600_000;
// Per process: a repeated line in each of several web processes is acceptable; a line per message is not.
const lastWarned = new WeakMap<Context, Map<string, number>>();

/** Logs a warning once per sender and hour, however many messages it sends. */
export function warnUnservedChannel(ctx: Context, m: UnservedMessage): void {
  const now = ctx.clock.now();
  let warned = lastWarned.get(ctx);
  if (!warned) lastWarned.set(ctx, (warned = new Map()));
  const key = `${m.accountSid} ${m.from}`;
  const last = warned.get(key);
  if (last !== undefined && now - last < WARN_EVERY_MS) return;
  for (const [k, at] of warned) if (now - at >= WARN_EVERY_MS) warned.delete(k);
  warned.set(key, now);
  ctx.log.warn(
    { accountSid: maskSid(m.accountSid), channel: m.channel, from: m.from, to: m.to },
    `A ${m.channel} message reached Parley, which serves SMS only: nothing was stored. Point that channel's webhook in Twilio's console at the application that handles it.`,
  );
}
