import type { NewRow } from '../../src/db/schema.js';
import type { AppEvent } from '../../src/features/events/app-event.js';
import type { Simulator } from '../../src/simulator/index.js';
import { senderRow } from './seed.js';
import type { TwilioWorld } from './twilio-world.js';

/** Every event the world's organization publishes from now on, in order. */
export function recordEvents(world: TwilioWorld): AppEvent[] {
  const events: AppEvent[] = [];
  world.server.ctx.events.subscribe(world.organizationId, (e) => events.push(e));
  return events;
}

/** The statuses a message went through, as agents saw them live (message.created / message.updated). */
export function statusesSeen(events: AppEvent[], messageId: string): string[] {
  const seen = events.flatMap((e) => ((e.type === 'message.created' || e.type === 'message.updated') && e.data.id === messageId ? [String(e.data.status)] : []));
  return seen.filter((s, i) => i === 0 || s !== seen[i - 1]);
}

/** Rows in every table a send writes to: a refusal must leave all of them as they were. */
export async function rowCounts(world: TwilioWorld) {
  const db = world.server.ctx.db;
  const count = async (table: 'messages' | 'jobs' | 'conversations' | 'customers' | 'sendAttempts' | 'optOuts') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const attached = Number(
    (await db.selectFrom('media').select((eb) => eb.fn.countAll().as('n')).where('messageId', 'is not', null).executeTakeFirstOrThrow()).n,
  );
  return {
    messages: await count('messages'),
    jobs: await count('jobs'),
    conversations: await count('conversations'),
    customers: await count('customers'),
    attempts: await count('sendAttempts'),
    optOuts: await count('optOuts'),
    attachedMedia: attached,
  };
}

export const messageRow = (world: TwilioWorld, id: string) => world.server.ctx.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

export const attemptsOf = (world: TwilioWorld, messageId: string) =>
  world.server.ctx.db.selectFrom('sendAttempts').selectAll().where('messageId', '=', messageId).orderBy('startedAt').orderBy('id').execute();

/** Outbound messages the simulator created to this phone, whatever their status. */
export const sentTo = (sim: Simulator, phone: string) => sim.messages().filter((m) => m.direction === 'outbound-api' && m.to === phone);

/** Adds a sender to the world's organization directly in the database, like the world's own. */
export async function addSender(world: TwilioWorld, overrides: Partial<NewRow<'senders'>> & { address: string }): Promise<string> {
  const row = senderRow({ organizationId: world.organizationId, twilioAccountId: world.account.id, ...overrides });
  await world.server.ctx.db.insertInto('senders').values(row).execute();
  return row.id;
}

/* Small real pictures (8 × 8): uploads go through the image pipeline, which decodes them. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEUlEQVQImWM4YSOCFTEMLQkAh11GAUtH1v4AAAAASUVORK5CYII=', 'base64');
export const JPEG = Buffer.from(
  '/9j/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCj/wAARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAb/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABgf/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCWADVTf//Z',
  'base64',
);
export const GIF = Buffer.from('R0lGODlhCAAIAIAAAExpccg8FCH5BAUAAAAALAAAAAAIAAgAAAIHjI+py+1dAAA7', 'base64');

/** A multipart/form-data body with one file field. */
export function multipartBody(field: string, bytes: Buffer, filename = 'picture.png', type = 'image/png') {
  const boundary = `----parley${Math.random().toString(16).slice(2)}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`;
  const payload = Buffer.concat([Buffer.from(head), bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

