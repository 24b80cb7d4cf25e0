import pg from 'pg';

/**
 * Counts the statements this process sends to PostgreSQL (each one a round trip with `pg`, which
 * waits for one answer before sending the next statement on a connection), BEGIN and COMMIT
 * included. A benchmark's own bookkeeping queries count too, which is a handful per run.
 * BENCH_STATEMENTS=1 also prints to stderr, as the process exits, the statements sent most.
 */
let statements = 0;
const byText = new Map<string, number>();
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  if (process.env.BENCH_STATEMENTS) {
    const [first] = args as [string | { text?: string }];
    const text = (typeof first === 'string' ? first : (first?.text ?? '?')).replace(/\s+/g, ' ').slice(0, 120);
    byText.set(text, (byText.get(text) ?? 0) + 1);
  }
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

process.on('exit', () => {
  for (const [text, n] of [...byText].sort((a, b) => b[1] - a[1]).slice(0, 40)) process.stderr.write(`${n}\t${text}\n`);
});

export const statementsSent = () => statements;
