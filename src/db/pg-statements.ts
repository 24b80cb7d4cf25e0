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

/** Kysely's BEGIN (with or without an isolation level), and the statements that end a transaction. */
const OPENING = /^(begin|start transaction\b)/i;
const ENDING = /^(commit|rollback)$/i;

type QueryConfig = { name?: string; text: string; values: unknown[] };

/**
 * The pool's client. Two things it does that `pg` does not:
 *
 * - A registered SQL text goes as a named statement. A migration that adds a column (another
 *   process upgrading while this one serves) makes a kept `select *` fail once; then every
 *   connection names its statements afresh, and a statement that ran on its own is simply sent
 *   again. Inside a transaction the failure stands (the transaction is already aborted), and the
 *   caller's retry finds the fresh names.
 * - A transaction's BEGIN waits and goes out in one write with the transaction's first statement,
 *   so a transaction costs one round trip less: on a busy machine each round trip wakes a
 *   backend, which costs more than the statement. PostgreSQL takes a transaction's snapshot at
 *   its first statement anyway, so nothing about the transaction changes; if the BEGIN fails, the
 *   statement is not run. A transaction that ends before any statement sends nothing at all.
 */
export class NamedStatementClient extends pg.Client {
  /** The BEGIN Kysely asked for, not sent yet. */
  private opening: string | undefined;

  // pg's other overloads (a config object, a Submittable) pass through untouched.
  override query(...args: unknown[]): any {
    const [text, values, callback] = args;
    // The pool's own query() (the event bus's NOTIFY) calls (text, values, callback): a
    // registered text goes named that way too, outside any transaction Kysely opened.
    if (typeof text === 'string' && Array.isArray(values) && typeof callback === 'function' && this.opening === undefined && names.has(text)) {
      this.send({ name: names.get(text), text, values }, undefined, true).then(
        (result) => callback(null, result),
        (err: unknown) => callback(err),
      );
      return undefined;
    }
    // Kysely sends every statement as (text, values).
    const fromKysely = typeof text === 'string' && Array.isArray(values) && callback === undefined;
    if (!fromKysely) {
      if (this.opening !== undefined) throw new Error('A transaction Kysely opened continued outside Kysely');
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    const opening = this.opening;
    if (opening === undefined && values.length === 0 && OPENING.test(text) && this.getTransactionStatus() === 'I') {
      this.opening = text;
      return Promise.resolve(completed('BEGIN'));
    }
    this.opening = undefined;
    if (opening !== undefined && values.length === 0 && ENDING.test(text)) return Promise.resolve(completed(text.toUpperCase()));
    const name = names.get(text);
    if (name === undefined && opening === undefined) return super.query(text, values);
    return this.send({ name, text, values }, opening, true);
  }

  private async send(config: QueryConfig, opening: string | undefined, mayRetry: boolean): Promise<pg.QueryResult> {
    const sent = generation;
    const query = config.name === undefined ? config : { ...config, name: `${config.name}_${sent}` };
    // Decided before sending: pg settles a failed query on its error, ahead of the ReadyForQuery
    // that tells the transaction's status, so the status read after a failure may be stale.
    const alone = opening === undefined && this.getTransactionStatus() === 'I';
    try {
      return await (opening === undefined ? super.query(query) : this.openWith(opening, query));
    } catch (err) {
      if (config.name === undefined || !(err instanceof Error && (err as { code?: string }).code === '0A000' && STALE_PLAN.test(err.message))) throw err;
      // Another connection may have bumped it already for the same migration.
      if (generation === sent) generation++;
      if (mayRetry && alone) return this.send(config, undefined, false);
      throw err;
    }
  }

  private openWith(opening: string, config: QueryConfig): Promise<pg.QueryResult> {
    return new Promise((resolve, reject) => {
      (super.query as (query: object) => unknown)(new OpeningQuery(opening, { ...config, callback: (err: Error | null, result: pg.QueryResult) => (err ? reject(err) : resolve(result)) }));
    });
  }
}

const completed = (command: string): pg.QueryResult => ({ command, rowCount: null, rows: [], fields: [], oid: 0 });

/** The parts of `pg`'s Query and connection that OpeningQuery builds on. */
interface Connection {
  parse(message: { text: string; name: string; types: unknown[] }): void;
  bind(message: { portal: string; statement: string; values: unknown[] }): void;
  execute(message: { portal: string; rows: number }): void;
  submittedNamedStatements: Record<string, string>;
}
interface PgQuery {
  prepare(connection: Connection): void;
  handleCommandComplete(message: unknown, connection: Connection): void;
  handleError(err: Error, connection: Connection): void;
}
const Query = (pg as unknown as { Query: new (config: object) => PgQuery }).Query;

/**
 * A statement with its transaction's BEGIN ahead of it, in the extended protocol and under one
 * Sync: PostgreSQL answers both with one ReadyForQuery (which `pg` takes as the end of the
 * query), and skips the statement if the BEGIN fails.
 */
class OpeningQuery extends Query {
  // `declare`: no class fields, which would be set after pg's constructor and undo its `name`.
  declare private opening: string;
  declare private statementName: string | undefined;
  /** Sent, and PostgreSQL has not yet finished the BEGIN. */
  declare private beginPending: boolean;

  constructor(opening: string, config: QueryConfig & { callback: unknown }) {
    super({ ...config, queryMode: 'extended' });
    this.opening = opening;
    this.beginPending = false;
  }

  // pg's client takes each ParseComplete of the query as its named statement parsed: the BEGIN's
  // own must not count, or a statement that then failed to parse would be taken as kept.
  get name(): string | undefined {
    return this.beginPending ? undefined : this.statementName;
  }
  set name(name: string | undefined) {
    this.statementName = name;
  }

  override prepare(connection: Connection): void {
    connection.parse({ text: this.opening, name: '', types: [] });
    connection.bind({ portal: '', statement: '', values: [] });
    connection.execute({ portal: '', rows: 0 });
    super.prepare(connection);
    this.beginPending = true;
  }

  override handleCommandComplete(message: unknown, connection: Connection): void {
    if (this.beginPending) this.beginPending = false;
    else super.handleCommandComplete(message, connection);
  }

  override handleError(err: Error, connection: Connection): void {
    // The BEGIN failed, so the statement was never parsed: forget it was sent (pg could not, nameless).
    if (this.beginPending && this.statementName !== undefined) delete connection.submittedNamedStatements[this.statementName];
    super.handleError(err, connection);
  }
}
