import type { AvailableNumber, TwilioNumber } from './twilio-api.js';
import type { SenderRow, TwilioAccountRow } from './queries.js';
import { iso } from '../../domain/time.js';
import { SIGNATURE_FAILURE_WINDOW_MS } from './webhook.js';

/** The sender of docs/api.md#objects: the fields that do not apply to its type are null. */
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

/**
 * A sender as admins see it in the integration: with its last catch-up (docs/twilio.md#7-nothing-lost-while-parley-is-down),
 * when it ran and what it recovered, and why the latest attempt failed if it did.
 */
export function presentAdminSender(s: SenderRow) {
  return {
    ...presentSender(s),
    catchup: {
      lastAt: s.catchupAt === null ? null : iso(s.catchupAt),
      messages: s.catchupMessages,
      statuses: s.catchupStatuses,
      error: s.catchupError,
      errorAt: s.catchupErrorAt === null ? null : iso(s.catchupErrorAt),
    },
  };
}

export type PresentedAdminSender = ReturnType<typeof presentAdminSender>;

/** What an admin must still do outside Parley for a sender just added to work. */
export type SenderWarning = 'a2p_10dlc_registration';

/**
 * A sender just added; `warnings` only when there is something left to do, such as registering a
 * bought US or Canadian long code for A2P 10DLC (carriers block it until its brand and campaign are).
 */
export function presentAddedSender(s: SenderRow, warnings: readonly SenderWarning[]): PresentedSender & { warnings?: SenderWarning[] } {
  return warnings.length > 0 ? { ...presentSender(s), warnings: [...warnings] } : presentSender(s);
}

/** The integration as admins see it: the Account SID may be shown, the Auth Token never is. */
export function presentIntegration(account: TwilioAccountRow | undefined, connectedBy: { id: string; name: string } | null, senders: SenderRow[], publicUrl: string, now: number) {
  return {
    // The address Parley gives Twilio for its webhooks, so an admin can see what Twilio calls.
    publicUrl,
    connected: account !== undefined,
    accountSid: account?.accountSid ?? null,
    connectedAt: account ? iso(account.connectedAt) : null,
    connectedBy: account ? connectedBy : null,
    paused: account ? account.pausedAt !== null : false,
    senders: account ? senders.map(presentAdminSender) : [],
    signatureFailures: presentSignatureFailures(account, now),
  };
}

/** Webhooks refused for their signature in the last 24 hours: a run older than that is over. */
function presentSignatureFailures(account: TwilioAccountRow | undefined, now: number): { count: number; lastAt: string | null } {
  const at = account?.signatureFailureAt ?? null;
  if (!account || at === null || account.signatureFailures === 0 || now - at > SIGNATURE_FAILURE_WINDOW_MS) return { count: 0, lastAt: null };
  return { count: account.signatureFailures, lastAt: iso(at) };
}

/**
 * A number already in the account, with whether Parley uses it, whose SMS URL it holds, and the
 * Messaging Service whose pool holds it (null when none).
 */
export function presentIncomingNumber(n: TwilioNumber, senderId: string | null, webhook: 'none' | 'demo' | 'parley' | 'other', messagingServiceSid: string | null) {
  return {
    phoneNumber: n.phoneNumber,
    friendlyName: n.friendlyName,
    twilioSid: n.twilioSid,
    capabilities: { sms: n.sms, mms: n.mms },
    smsUrl: n.route.url || null,
    webhook,
    senderId,
    messagingServiceSid,
  };
}

export const presentAvailableNumber = (n: AvailableNumber) => ({ ...n });

export type PresentedIntegration = ReturnType<typeof presentIntegration>;
export type PresentedIncomingNumber = ReturnType<typeof presentIncomingNumber>;
export type PresentedAvailableNumber = ReturnType<typeof presentAvailableNumber>;
export type PresentedAddedSender = ReturnType<typeof presentAddedSender>;
