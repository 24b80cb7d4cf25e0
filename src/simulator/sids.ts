import { randomBytes } from 'node:crypto';

/** Twilio SIDs are a two-letter type prefix and 32 lowercase hex digits, e.g. `SM` + 32 hex. */
export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

/** Auth Tokens are 32 lowercase hex digits. */
export function newAuthToken(): string {
  return randomBytes(16).toString('hex');
}

/** An unguessable path segment for media CDN URLs (the real CDN's URLs are signed, not authenticated). */
export function newUrlToken(): string {
  return randomBytes(24).toString('base64url');
}

export function isSid(prefix: string, value: string): boolean {
  return new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value);
}
