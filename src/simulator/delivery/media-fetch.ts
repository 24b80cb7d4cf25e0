import type { SimContext } from '../context.js';

/** Twilio's limit for one MMS, all media together. */
const MAX_TOTAL_BYTES = 5 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 10_000;

// Types a phone can receive; anything else (notably an HTML error page) is refused with 12300.
const ACCEPTED_TYPE = /^(image|audio|video)\/[\w.+-]+$|^(application\/pdf|text\/(vcard|x-vcard|calendar|csv|plain|rtf))$/;

export type FetchedMedia = { contentType: string; data: Buffer };

export type MediaFetchResult =
  | { ok: true; media: FetchedMedia[] }
  | { ok: false; errorCode: number; errorMessage: string };

/**
 * Downloads an outbound message's MediaUrls the way Twilio does: a plain GET with no
 * credentials, following redirects. The failure codes: 11200 (HTTP retrieval failure: refused,
 * timed out or not 2xx), 12300 (Invalid Content-Type), 30019 (content size exceeds carrier limit).
 */
export async function fetchMedia(ctx: SimContext, urls: string[]): Promise<MediaFetchResult> {
  const media: FetchedMedia[] = [];
  let total = 0;
  for (const url of urls) {
    const result = await fetchOne(ctx, url);
    if (!result.ok) return result;
    total += result.media.data.length;
    if (total > MAX_TOTAL_BYTES) {
      return { ok: false, errorCode: 30019, errorMessage: 'Content size exceeds carrier limit' };
    }
    media.push(result.media);
  }
  return { ok: true, media };
}

async function fetchOne(
  ctx: SimContext,
  url: string,
): Promise<{ ok: true; media: FetchedMedia } | { ok: false; errorCode: number; errorMessage: string }> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { 'User-Agent': 'TwilioProxy/1.1' },
      signal: AbortSignal.any([AbortSignal.timeout(FETCH_TIMEOUT_MS), ctx.background.signal]),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, errorCode: 11200, errorMessage: `HTTP retrieval failure: ${url}: ${reason}` };
  }
  if (!response.ok) {
    await response.body?.cancel();
    return { ok: false, errorCode: 11200, errorMessage: `HTTP retrieval failure: ${url} answered ${response.status}` };
  }
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!ACCEPTED_TYPE.test(contentType)) {
    await response.body?.cancel();
    return { ok: false, errorCode: 12300, errorMessage: `Invalid Content-Type: ${contentType || 'none'}` };
  }
  const data = Buffer.from(await response.arrayBuffer());
  return { ok: true, media: { contentType, data } };
}
