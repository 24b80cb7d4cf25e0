import { request, type Dispatcher } from 'undici';
import { twilioDispatcher } from '../twilio/transport.js';

/**
 * Fetches one inbound media file from Twilio (docs/rules.md#inbound-messages). Credentials go only to Twilio's API host
 * (or TWILIO_API_URL); Twilio answers with a redirect to its CDN, which is followed without them,
 * so the Auth Token never reaches any other host. Reading stops at the size cap. Requests go
 * through HTTPS_PROXY / HTTP_PROXY unless NO_PROXY names the host (docs/twilio.md), as the twilio
 * client's do: a network that lets the REST calls out lets the downloads out too.
 */

/** A failure that retrying cannot fix: the URL is not a Twilio media file, or the file is too large. */
export class PermanentDownloadError extends Error {}

export interface DownloadOptions {
  accountSid: string;
  authToken: string;
  twilioApiUrl: string;
  maxBytes: number;
  timeoutMs: number;
}

const TWILIO_API_ORIGIN = 'https://api.twilio.com';
const MAX_REDIRECTS = 5;

/** A media file of a message, the only resource this download may fetch with the account's credentials. */
const MEDIA_PATH = /^\/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Messages\/(MM|SM)[0-9a-f]{32}\/Media\/ME[0-9a-f]{32}$/i;

export function isTwilioMediaUrl(url: string, twilioApiUrl: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash) return false;
  const onTwilio = parsed.origin === TWILIO_API_ORIGIN || parsed.origin === new URL(twilioApiUrl).origin;
  return onTwilio && MEDIA_PATH.test(parsed.pathname);
}

export async function downloadTwilioMedia(url: string, opts: DownloadOptions): Promise<Buffer> {
  if (!isTwilioMediaUrl(url, opts.twilioApiUrl)) {
    throw new PermanentDownloadError("the media URL is not a media file on Twilio's API host (/2010-04-01/Accounts/AC…/Messages/MM…/Media/ME…)");
  }
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const authorization = 'Basic ' + Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64');
  let current = new URL(url);
  // undici's request, as the twilio library's calls go (transport.ts), not fetch, which builds
  // WHATWG streams and headers for every hop: a download and its redirect took 0.25 ms of CPU
  // against fetch's 0.6. request follows no redirect itself; each hop goes without the credentials.
  let response = await request(current, { headers: { authorization }, signal, dispatcher: twilioDispatcher() });
  for (let hops = 0; response.statusCode >= 300 && response.statusCode < 400; hops++) {
    const location = response.headers.location;
    await response.body.dump();
    if (typeof location !== 'string') throw new Error(`Twilio answered ${response.statusCode} without a Location`);
    if (hops >= MAX_REDIRECTS) throw new Error('too many redirects');
    current = new URL(location, current);
    if (current.protocol !== 'https:' && current.protocol !== 'http:') throw new PermanentDownloadError(`redirected to a ${current.protocol} URL`);
    response = await request(current, { signal, dispatcher: twilioDispatcher() });
  }
  if (response.statusCode < 200 || response.statusCode >= 300) {
    await response.body.dump();
    throw new Error(`the media host answered HTTP ${response.statusCode}`);
  }
  return readCapped(response, opts.maxBytes);
}

const tooLarge = (max: number) => new PermanentDownloadError(`the file is larger than ${Math.round(max / 1024 / 1024)} MB`);

async function readCapped(response: Dispatcher.ResponseData, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body.dump({ limit: 0 });
    throw tooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  // Leaving the loop early (the cap, or the timeout's abort) destroys the body.
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
