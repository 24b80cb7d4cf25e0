import type { AvailableNumber, TwilioNumber } from './twilio-api.js';
import type { SenderRow, TwilioAccountRow } from './queries.js';
import { iso } from '../../domain/time.js';

/** SPEC §7 sender: the fields that do not apply to its type are null. */
export function presentSender(s: SenderRow) {
  return {
    id: s.id,
    type: s.type,
    phoneNumber: s.phoneNumber,
    shortCode: s.shortCode,
    messagingServiceSid: s.messagingServiceSid,
    twilioSid: s.twilioSid,
    capabilities: { sms: s.smsCapable === 1, mms: s.mmsCapable === 1 },
    ratePerSecond: s.ratePerSecond,
    active: s.active === 1,
  };
}

export type PresentedSender = ReturnType<typeof presentSender>;

/** The integration as admins see it: the Account SID may be shown, the Auth Token never is. */
export function presentIntegration(account: TwilioAccountRow | undefined, connectedBy: { id: string; name: string } | null, senders: SenderRow[]) {
  return {
    connected: account !== undefined,
    accountSid: account?.accountSid ?? null,
    connectedAt: account ? iso(account.connectedAt) : null,
    connectedBy: account ? connectedBy : null,
    paused: account ? account.pausedAt !== null : false,
    senders: account ? senders.map(presentSender) : [],
  };
}

/** A number already in the account, with whether Parley uses it and whose SMS URL it holds. */
export function presentIncomingNumber(n: TwilioNumber, senderId: string | null, webhook: 'none' | 'demo' | 'parley' | 'other') {
  return {
    phoneNumber: n.phoneNumber,
    friendlyName: n.friendlyName,
    twilioSid: n.twilioSid,
    capabilities: { sms: n.sms, mms: n.mms },
    smsUrl: n.smsUrl || null,
    webhook,
    senderId,
  };
}

export const presentAvailableNumber = (n: AvailableNumber) => ({ ...n });

export type PresentedIntegration = ReturnType<typeof presentIntegration>;
export type PresentedIncomingNumber = ReturnType<typeof presentIncomingNumber>;
export type PresentedAvailableNumber = ReturnType<typeof presentAvailableNumber>;
