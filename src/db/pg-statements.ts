import pg from 'pg';

/**
 * PostgreSQL parses and plans every statement sent without a name, and on the hot paths (a send,
 * a status callback, an inbound text) that work is a large part of what the database does for a
 * statement of one row. The statements Parley sends most are the ones built by prepared()
 * (prepared.ts): a fixed set of SQL texts. Each is given a name here, so a connection parses it
 * once and later only binds and executes it. Any other SQL (IN lists of every length, searches,
 * admin screens) goes unnamed as before, so the statements a connection keeps stay few.
 */
const names = new Map<string, string>();

/** Has connections parse this SQL once and keep it (called by prepared() as it compiles for PostgreSQL). */
export function parseOncePerConnection(sql: string): void {
  if (!names.has(sql)) names.set(sql, `parley_${names.size}`);
}

/** SQLSTATE 0A000 with this text: a statement kept since a migration changed what `select *` returns. */
const STALE_PLAN = /cached plan must not change result type/;

/**
 * Bumped when a kept statement went stale: every connection names its statements afresh on its
 * next use, so after a migration the first statement to fail is the only one, not one for every
 * connection of the pool.
 */
let generation = 0;

/**
 * The pool's client: a registered SQL text goes as a named statement. A migration that adds a
 * column (another process upgrading while this one serves) makes a kept `select *` fail once;
 * then every connection names its statements afresh, and a statement that ran on its own is
 * simply sent again. Inside a transaction the failure stands (the transaction is already
 * aborted), and the caller's retry finds the fresh names.
 */
export class NamedStatementClient extends pg.Client {
  // pg's overloads (a config object, a Submittable, callbacks) pass through untouched.
  override query(...args: unknown[]): any {
    const [text, values, callback] = args;
    const name = typeof text === 'string' && Array.isArray(values) && callback === undefined ? names.get(text) : undefined;
    if (name === undefined) return (super.query as (...a: unknown[]) => unknown)(...args);
    return this.named(name, text as string, values as unknown[], true);
  }

  private async named(name: string, text: string, values: unknown[], mayRetry: boolean): Promise<pg.QueryResult> {
    const sent = generation;
    try {
      return await super.query({ name: `${name}_${sent}`, text, values });
    } catch (err) {
      if (!(err instanceof Error && (err as { code?: string }).code === '0A000' && STALE_PLAN.test(err.message))) throw err;
      // Another connection may have bumped it already for the same migration.
      if (generation === sent) generation++;
      if (mayRetry && this.getTransactionStatus() === 'I') return this.named(name, text, values, false);
      throw err;
    }
  }
}
