import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Ids a proxy may hand us; anything else (too long, odd characters) could forge or bloat log lines. */
const ACCEPTED_ID = /^[\w.:@/+=-]{1,128}$/;

/**
 * A request keeps the id its proxy gave it, so one id follows it through every hop's logs;
 * otherwise it gets a fresh one (docs/operations.md#request-ids).
 */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && ACCEPTED_ID.test(given) ? given : randomUUID();
}
