import { randomBytes } from 'node:crypto';
import http from 'node:http';
import twilio from 'twilio';
import type { Db } from '../../src/db/database.js';
import type { AppEvent } from '../../src/features/events/app-event.js';
import type { PresentedCustomer } from '../../src/features/customers/presenters.js';
import { eventually } from './api.js';
import type { TwilioWorld } from './twilio-world.js';

export const WEBHOOK_PATH = '/webhooks/twilio/messages';
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

export const messageSid = () => `SM${randomBytes(16).toString('hex')}`;

/** Twilio's inbound parameters for a text from `from` to the world's support number. */
export function inboundParams(w: TwilioWorld, overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const params: Record<string, string | undefined> = {
    MessageSid: messageSid(),
    SmsSid: undefined,
    AccountSid: w.account.sid,
    From: '+14155550199',
    To: w.sender.phoneNumber,
    Body: 'Hello',
    NumMedia: '0',
    NumSegments: '1',
    ApiVersion: '2010-04-01',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Posts a webhook as Twilio would, signed with `authToken` (the account's unless forged). */
export async function postWebhook(w: TwilioWorld, params: Record<string, string>, opts: { authToken?: string; signature?: string | null } = {}) {
  const url = w.publicUrl + WEBHOOK_PATH;
  const signature = opts.signature === undefined ? twilio.getExpectedTwilioSignature(opts.authToken ?? w.account.authToken, url, params) : opts.signature;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'x-twilio-signature': signature }) },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') };
}

/** Row counts of everything an inbound message may write, to prove a refusal wrote nothing. */
export async function countRows(db: Db) {
  const count = async (table: 'customers' | 'conversations' | 'messages' | 'media' | 'mediaBlobs' | 'jobs' | 'optOuts') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return {
    customers: await count('customers'),
    conversations: await count('conversations'),
    messages: await count('messages'),
    media: await count('media'),
    mediaBlobs: await count('mediaBlobs'),
    jobs: await count('jobs'),
    optOuts: await count('optOuts'),
  };
}

const MARKER = 'test-marker-';
const isMarker = (e: AppEvent) => e.type === 'customer.updated' && e.data.id.startsWith(MARKER);

/** A customer no database holds, for events that only prove a stream has caught up. */
export function markerCustomer(id: string): PresentedCustomer {
  return { id, name: null, phone: '', email: null, notes: null, smsOptOut: false, smsOptOutAt: null, optOuts: [], twilioOptOuts: [], createdAt: new Date(0).toISOString() };
}

/**
 * Collects the organization's events straight from the bus. `settle()` waits until everything
 * published so far has arrived (on PostgreSQL events come back through NOTIFY), by sending a
 * marker through the same bus and waiting for it.
 */
export function recordEvents(w: TwilioWorld, organizationId = w.organizationId) {
  const events: AppEvent[] = [];
  let markers = 0;
  const stop = w.server.ctx.events.subscribe(organizationId, (e) => {
    if (isMarker(e)) markers++;
    else events.push(e);
  });
  const settle = async () => {
    const expected = markers + 1;
    await w.server.ctx.events.publish({ type: 'customer.updated', organizationId, data: markerCustomer(`${MARKER}${expected}`) });
    await eventually(() => markers >= expected, { what: 'the event marker' });
    return events;
  };
  /** Forgets whatever was published before now, including events still on their way. */
  const reset = async () => {
    await settle();
    events.length = 0;
  };
  const ofType = <T extends AppEvent['type']>(type: T) => events.filter((e): e is Extract<AppEvent, { type: T }> => e.type === type);
  return { events, stop, settle, reset, ofType };
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2030, 0, 1, 12)) {
  let now = start;
  return {
    now: () => now,
    set: (t: number) => void (now = t),
    advance: (ms: number) => void (now += ms),
  };
}

export const HOUR = 3_600_000;

export { addSender } from './outbound.js';

/**
 * Opens GET /api/events over real HTTP, as a browser's EventSource would, and collects the raw
 * frames and the parsed `data:` payloads. close() drops the connection like a closed tab.
 */
export async function openEventStream(baseUrl: string, token: string) {
  const frames: Array<{ type: string; data: any }> = [];
  const rawFrames: string[] = [];
  let ended = false;
  let raw = '';
  const req = http.get(`${baseUrl}/api/events`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, agent: false });
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => req.once('response', resolve).once('error', reject));
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    raw += chunk;
    let cut: number;
    while ((cut = raw.indexOf('\n\n')) >= 0) {
      const frame = raw.slice(0, cut);
      raw = raw.slice(cut + 2);
      rawFrames.push(frame);
      const data = frame.split('\n').filter((l) => l.startsWith('data: '));
      if (data.length > 0) frames.push(JSON.parse(data.map((l) => l.slice(6)).join('\n')));
    }
  });
  const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
  void closed.then(() => (ended = true));
  req.on('error', () => undefined);
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    frames,
    rawFrames,
    get ended() {
      return ended;
    },
    async close() {
      req.destroy();
      await closed;
    },
  };
}
