import { isFinal, type MessageStatus } from './message-status.js';

/**
 * Twilio's error codes for a message, in words an agent can act on. Twilio's own text is terse
 * ("Attempt to send to unsubscribed recipient"); agents need to know what happened to their
 * customer and what, if anything, to do.
 */
const REASONS: Record<number, string> = {
  11200: 'Twilio could not download an attached picture.',
  12300: 'Twilio refused an attached file because of its type.',
  20429: 'Twilio asked Parley to slow down (too many requests); send it again in a moment.',
  20003: "Twilio no longer accepts the account's Auth Token; an admin must update it.",
  21211: "The customer's number is not a valid phone number.",
  21408: "The Twilio account is not allowed to send to this customer's country (check Geo Permissions in Twilio's console).",
  21602: 'The message has no text and no pictures.',
  21606: 'This support number cannot send text messages to this customer.',
  21608: 'A Twilio trial account can only send to verified numbers.',
  21610: 'The customer has unsubscribed from this number (they replied STOP); they must text START before they can be messaged again.',
  21612: "This support number cannot reach the customer's number.",
  21614: "The customer's number cannot receive text messages (it may be a landline).",
  21611: "The support number's queue at Twilio is full (more than 10 hours of messages waiting); send it again later or spread sending over more numbers.",
  21617: 'The message is longer than 1,600 characters.',
  21620: 'An attached picture could not be fetched.',
  21623: 'The message has more than 10 attachments.',
  21635: "The customer's number is a landline, and Twilio does not text landlines in that country.",
  21659: 'The support number is not in the connected Twilio account.',
  21660: 'The support number belongs to another Twilio account.',
  21701: 'The Messaging Service no longer exists in the Twilio account.',
  21704: 'The Messaging Service has no phone numbers to send from.',
  30001: "Twilio's queue for this number overflowed; send it again later.",
  30002: 'The Twilio account is suspended.',
  30003: "The customer's phone is unreachable (switched off or out of coverage).",
  30004: 'The message was blocked; the customer may have blocked this number.',
  30005: "The customer's number is unknown or no longer in service.",
  30006: "The customer's number is a landline or its carrier cannot receive text messages.",
  30007: "The customer's carrier filtered the message as spam.",
  30008: "The customer's carrier could not deliver the message, for a reason it did not give.",
  30019: 'The attached pictures are too large for the carrier.',
  30032: "The support number is a toll-free number that is not verified yet; carriers block its messages until Twilio's toll-free verification is approved.",
  30034: "The support number is a US long code not registered for A2P 10DLC; carriers block its messages until its brand and campaign are registered in Twilio's console.",
  30035: "The support number's A2P 10DLC registration is not finished yet; carriers block its messages until it is.",
  30036: "The message waited in Twilio's queue longer than its validity period and was not sent; send it again.",
};

/**
 * Errors that say "not now" rather than "never": 20429 (too many requests) and 21611 (the
 * sender's queue at Twilio is full). A send is retried after a backoff, never failed at once.
 */
const LATER = new Set([20429, 21611]);

export const isRetriedLater = (code: number | null): boolean => code !== null && LATER.has(code);

/** Where Twilio documents a code, for the ones Parley has no words of its own for. */
export const twilioErrorUrl = (code: number) => `https://www.twilio.com/docs/api/errors/${code}`;

/**
 * Twilio's messages can quote a resource path with the Account SID in it; a message's stored
 * error must not keep a copy of it (docs/rules.md#disconnect-and-erasure), so it is masked to its last four characters.
 */
export function withoutAccountSids(text: string): string {
  return text.replace(/AC[0-9a-fA-F]{32}/g, (sid) => `AC…${sid.slice(-4)}`);
}

/** A readable reason for a Twilio error code, falling back on Twilio's own message and where the code is explained. */
export function twilioErrorReason(code: number | null, twilioMessage?: string | null): string {
  if (code !== null && REASONS[code]) return REASONS[code];
  const detail = twilioMessage?.trim() ? `: ${withoutAccountSids(twilioMessage.trim())}` : '';
  if (code === null) return `Twilio refused the message${detail}`;
  return `Twilio refused the message (error ${code})${detail} — look the code up in Twilio's error dictionary: ${twilioErrorUrl(code)}`;
}

/** The error fields a final failed or undelivered status carries: Twilio's code and a plain reason. */
export function failureOf(next: MessageStatus, code: number | null, twilioMessage: string | null): { errorCode?: number | null; errorMessage?: string } {
  if (!isFinal(next) || next === 'delivered') return {};
  if (code === null) return { errorCode: null, errorMessage: `Twilio reported the message ${next} without giving a reason.` };
  return { errorCode: code, errorMessage: twilioErrorReason(code, twilioMessage) };
}
