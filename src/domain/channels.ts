/**
 * Twilio writes the addresses of its other channels with a prefix (`whatsapp:+14155550100`,
 * `messenger:1234`, `rcs:…`); an SMS address never has one. The channel named, or null for SMS.
 */
export function channelOf(address: string): string | null {
  const match = /^([a-z][a-z0-9_-]*):/i.exec(address.trim());
  return match ? match[1]!.toLowerCase() : null;
}
