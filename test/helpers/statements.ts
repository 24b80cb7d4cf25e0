import pg from 'pg';
import { vi } from 'vitest';

/** A statement as this process sent it to PostgreSQL. */
export interface SentStatement {
  text: string;
  values: unknown[];
}

/**
 * Records every statement sent to PostgreSQL from now until `stop()` (each one a round trip),
 * still sending it. Tests count them where a rule is about round trips.
 */
export function recordStatements(): { sent: SentStatement[]; stop(): void } {
  const sent: SentStatement[] = [];
  const query = pg.Client.prototype.query;
  const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
    const [first, values] = args as [string | { text: string; values?: unknown[] }, unknown[] | undefined];
    sent.push(typeof first === 'string' ? { text: first, values: values ?? [] } : { text: first.text, values: first.values ?? [] });
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query);
  return { sent, stop: () => spy.mockRestore() };
}
