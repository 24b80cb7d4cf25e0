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
  if (starts([0x66, 0x74, 0x79, 0x70], 4)) return HEIF_BRANDS.has(String.fromCharCode(...bytes.subarray(8, 12))) ? 'image/heic' : 'video/mp4';
  return null;
}

/* The ISO-BMFF major brands of HEIF stills and sequences (an iPhone photo is `heic`). */
const HEIF_BRANDS: ReadonlySet<string> = new Set(['heic', 'heix', 'hevc', 'hevx', 'mif1', 'msf1']);

/** What an agent may upload: sent as is, or (HEIC, WebP) converted to JPEG first (docs/rules.md#pictures-that-work-on-phones). */
export const UPLOAD_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/heic']);

/** Carriers deliver pictures up to about this size reliably; larger uploads are scaled and recompressed to fit. */
export const MMS_TARGET_BYTES = 1024 * 1024;
/** The longest side of a picture as sent. */
export const MMS_MAX_SIDE = 2048;
/** The longest side of a thumbnail in a thread. */
export const THUMBNAIL_SIDE = 480;
/** Decoding stops before this many pixels (an iPhone 48-megapixel photo fits): a small file claiming more is a decompression bomb. */
export const MAX_INPUT_PIXELS = 50_000_000;

/** Shown inline to agents; anything else is a sandboxed download (docs/rules.md#picture-messages). */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** What agents may send (docs/rules.md#limits). */
export const OUTBOUND_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif']);

export const MAX_MEDIA_BYTES = 5 * 1024 * 1024;
export const MAX_ATTACHMENTS = 10;
