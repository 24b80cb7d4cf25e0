import type { CustomerRow, OptOutRow } from './queries.js';
import { iso } from '../../domain/time.js';

/** The customer of docs/api.md#objects: `smsOptOut` is true when opted out of any sender, `smsOptOutAt` the latest. */
export function presentCustomer(c: CustomerRow, optOuts: OptOutRow[]) {
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
    createdAt: iso(c.createdAt),
  };
}

export type PresentedCustomer = ReturnType<typeof presentCustomer>;
