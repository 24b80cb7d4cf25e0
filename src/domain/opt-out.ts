/** docs/rules.md#opt-out: the keywords Twilio itself honours, matched on the whole body, any case, spaces trimmed. */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP']);

export type OptOutChange = 'opt_out' | 'opt_in' | null;

/**
 * What an inbound message does to the customer's opt-out from that sender. Twilio's own
 * `OptOutType` (STOP / START / HELP), when present, is taken as given.
 */
export function optOutChange(body: string, optOutType?: string): OptOutChange {
  const type = optOutType?.trim().toUpperCase();
  if (type === 'STOP') return 'opt_out';
  if (type === 'START') return 'opt_in';
  const word = body.trim().toUpperCase();
  if (OPT_OUT.has(word)) return 'opt_out';
  if (OPT_IN.has(word)) return 'opt_in';
  return null;
}
