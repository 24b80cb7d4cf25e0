import pg from 'pg';

/**
 * Counts the statements this process sends to PostgreSQL (each one a round trip with `pg`, which
 * waits for one answer before sending the next statement on a connection), BEGIN and COMMIT
 * included. A benchmark's own bookkeeping queries count too, which is a handful per run.
 */
let statements = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

export const statementsSent = () => statements;
