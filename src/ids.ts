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
 * UUIDv7: time-ordered, so ids sort by creation and inserts stay local in indexes,
 * and they double as stable tie-breakers in cursors.
 */
export function newId(now = Date.now()): string {
  const b = random16();
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (b[6]! & 0x0f);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
