/**
 * Twilio's default opt-out keyword handling: a message whose whole body (any case,
 * surrounding spaces ignored) is one of these keywords changes the sender's ability
 * to message that phone, and the inbound webhook carries `OptOutType`.
 */
const STOP = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const START = new Set(['START', 'YES', 'UNSTOP']);
const HELP = new Set(['HELP', 'INFO']);

export type OptOutType = 'STOP' | 'START' | 'HELP';

export function optOutType(body: string): OptOutType | null {
  const word = body.trim().toUpperCase();
  if (STOP.has(word)) return 'STOP';
  if (START.has(word)) return 'START';
  if (HELP.has(word)) return 'HELP';
  return null;
}
