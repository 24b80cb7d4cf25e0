/**
 * How a number reads back from an account with Message Redaction: Twilio replaces its last four
 * digits with XXXX (+1212555XXXX), and its Messages list filters on that form.
 */
export function redactedNumber(e164: string): string {
  return /^\+\d{8,15}$/.test(e164) ? `${e164.slice(0, -4)}XXXX` : e164;
}

/** A number as Message Redaction leaves it: its last digits gone, so the customer cannot be known from it. */
export const isRedactedNumber = (n: string) => /X{4}$/.test(n);
