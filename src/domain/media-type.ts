/**
 * The type of a file judged from its first bytes, never from what the sender claimed:
 * a declared image/png that is really HTML must not be served inline.
 */
export function sniffContentType(bytes: Uint8Array): string | null {
  const starts = (sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0x47, 0x49, 0x46, 0x38])) return 'image/gif';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  if (starts([0x25, 0x50, 0x44, 0x46])) return 'application/pdf';
  if (starts([0x66, 0x74, 0x79, 0x70], 4)) return 'video/mp4';
  return null;
}

/** Shown inline to agents; anything else is a sandboxed download (docs/rules.md#picture-messages). */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** What agents may send (docs/rules.md#limits). */
export const OUTBOUND_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif']);

export const MAX_MEDIA_BYTES = 5 * 1024 * 1024;
export const MAX_ATTACHMENTS = 10;
