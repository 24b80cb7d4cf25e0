import type { NewRow } from '../../src/db/schema.js';
import { newId } from '../../src/ids.js';
import type { Keyring } from '../../src/secrets.js';

/*
 * Rows put in place directly, for tests and benchmarks of features other than the Twilio
 * integration (whose API is tested on its own).
 */

/** A connected Twilio account, its token sealed as the product seals it. */
export function accountRow(
  keyring: Keyring,
  fields: { organizationId: string; accountSid: string; authToken: string; id?: string; connectedBy?: string | null; now?: number },
): NewRow<'twilioAccounts'> {
  const now = fields.now ?? Date.now();
  return {
    id: fields.id ?? newId(now),
    organizationId: fields.organizationId,
    accountSid: fields.accountSid,
    authTokenSealed: keyring.encrypt('twilio-token-encryption', fields.authToken),
    connectedAt: now,
    connectedBy: fields.connectedBy ?? null,
    pausedAt: null,
  };
}

/** An active sender; the address fills the field of its type, and the rate is the default of docs/rules.md#senders. */
export function senderRow(fields: Partial<NewRow<'senders'>> & { organizationId: string; address: string }): NewRow<'senders'> {
  const type = fields.type ?? 'phone_number';
  const now = fields.createdAt ?? Date.now();
  return {
    id: newId(now),
    twilioAccountId: null,
    type,
    phoneNumber: type === 'phone_number' ? fields.address : null,
    shortCode: type === 'short_code' ? fields.address : null,
    messagingServiceSid: type === 'messaging_service' ? fields.address : null,
    twilioSid: null,
    smsCapable: 1,
    mmsCapable: 1,
    ratePerSecond: type === 'phone_number' ? 1 : 100,
    nextSendAt: 0,
    active: 1,
    createdAt: now,
    removedAt: null,
    ...fields,
  };
}
