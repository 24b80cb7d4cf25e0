import type { CustomerRow, OptOutChangeRow, OptOutRow, TwilioOptOutRow } from './queries.js';
import { iso } from '../../domain/time.js';

/** A customer's opt-outs: Parley's (which refuse sends) and Twilio's own blocks (which only a START lifts). */
export interface OptOutState {
  optOuts: OptOutRow[];
  twilioOptOuts: TwilioOptOutRow[];
}

/** The customer of docs/api.md#objects: `smsOptOut` is true when opted out of any sender, `smsOptOutAt` the latest. */
export function presentCustomer(c: CustomerRow, { optOuts, twilioOptOuts }: OptOutState) {
  const latest = optOuts.reduce<number | null>((max, o) => (max === null || o.at > max ? o.at : max), null);
  return {
    id: c.id,
    name: c.name,
    phone: c.phone,
    email: c.email,
    notes: c.notes,
    smsOptOut: optOuts.length > 0,
    smsOptOutAt: latest === null ? null : iso(latest),
    optOuts: optOuts.map((o) => ({ senderId: o.senderId, at: iso(o.at) })),
    twilioOptOuts: twilioOptOuts.map((o) => ({ senderId: o.senderId, at: iso(o.at) })),
    createdAt: iso(c.createdAt),
  };
}

/** An opt-out or opt-in an agent made on the customer's behalf, for the timeline. */
export function presentOptOutChange(c: OptOutChangeRow) {
  return { id: c.id, action: c.action, senderId: c.senderId, reason: c.reason, actorId: c.actorId, createdAt: iso(c.createdAt) };
}

export type PresentedOptOutChange = ReturnType<typeof presentOptOutChange>;

export type PresentedCustomer = ReturnType<typeof presentCustomer>;
