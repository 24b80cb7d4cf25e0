import type { SimStore } from '../store.js';
import type { SimMessage } from '../model.js';
import { redactNumber } from '../phone-numbers.js';

// Still on its way to the carrier: Twilio keeps the message whole until the carrier has it.
const IN_TRANSIT = new Set(['accepted', 'queued']);

/**
 * A message as the REST API shows it on an account with Message Redaction. Twilio's Message
 * Redaction guide: body redaction makes the whole body unavailable through the API (shown
 * empty here), and phone-number redaction replaces the last four digits of numbers that are
 * not Twilio's (the customer's side) with XXXX. Webhooks and status callbacks, sent while the
 * message is handled, still carry the real values; only what is read back later is redacted.
 * A send's ContentRetention / AddressRetention override the account's setting for that message.
 */
export function asRedacted(store: SimStore, m: SimMessage): SimMessage {
  const account = store.accounts.get(m.accountSid)?.redaction;
  const redaction = { body: false, phoneNumbers: false, ...account, ...m.redaction };
  if (!redaction.body && !redaction.phoneNumbers) return m;
  if (m.direction !== 'inbound' && IN_TRANSIT.has(m.status)) return m;
  const hide = (address: string): string =>
    redaction.phoneNumbers && store.ownerOf(address)?.accountSid !== m.accountSid ? redactNumber(address) : address;
  return {
    ...m,
    body: redaction.body ? '' : m.body,
    from: m.from === null ? null : hide(m.from),
    to: hide(m.to),
  };
}
