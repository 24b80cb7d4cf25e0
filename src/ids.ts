import { randomBytes } from 'node:crypto';

/* Random bytes drawn a page at a time: one call per id cost more than the rest of newId. */
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

function random16(): Buffer {
  if (offset + 16 > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  // Each slice is handed out once, so it may be written to.
  return pool.subarray(offset, (offset += 16));
}

/**
 * The last sequence number handed out in each recent millisecond. Ids of one millisecond count
 * up (RFC 9562's counter in the 12 bits after the version), so two rows made in that order in
 * one process sort in that order: a customer's messages, stored one after another under the
 * customer's lock, keep their order even within a millisecond. A few recent milliseconds are
 * kept because ids for other times (an away reply a millisecond later, a caught-up message at
 * its own time) come in between.
 */
const sequences = new Map<number, number>();
const RECENT_MILLISECONDS = 64;

function nextSequence(ms: number, random: number): number {
  const last = sequences.get(ms);
  // A new millisecond starts low enough (11 random bits) to leave room to count up.
  const next = last === undefined ? random & 0x7ff : last + 1;
  sequences.delete(ms);
  sequences.set(ms, next);
  if (sequences.size > RECENT_MILLISECONDS) sequences.delete(sequences.keys().next().value!);
  return next;
}

/**
 * UUIDv7: time-ordered, so ids sort by creation and inserts stay local in indexes,
 * and they double as stable tie-breakers in cursors.
 */
export function newId(now = Date.now()): string {
  const b = random16();
  const sequence = nextSequence(now, b.readUInt16BE(6));
  // Past 4,096 ids in a millisecond the count carries into the time, which still sorts after.
  b.writeUIntBE(now + Math.floor(sequence / 0x1000), 0, 6);
  b.writeUInt16BE(0x7000 | (sequence & 0xfff), 6);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
