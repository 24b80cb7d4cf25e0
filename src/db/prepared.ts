import { createQueryId, sql, type Compilable, type CompiledQuery, type Expression, type InsertQueryBuilder, type InsertResult, type QueryResult, type SqlBool } from 'kysely';
import { isPostgres, type Conn } from './database.js';
import { parseOncePerConnection } from './pg-statements.js';
import type { DB, NewRow } from './schema.js';

/**
 * Kysely builds and compiles a query's SQL on every call, which on the send path costs more than
 * SQLite takes to run the statement. A prepared query is built once per engine with placeholder
 * arguments; each call runs the same SQL with its own values, through the same executor (so
 * plugins such as CamelCase still map the rows). The builder must use its arguments only as
 * values (never in JS arithmetic or string building); a variant may leave some unused. The SQL
 * is kept per engine, which assumes every database is opened alike (openDatabase: CamelCase).
 * On PostgreSQL the SQL also goes as a named statement, parsed once per connection (pg-statements.ts).
 */
export function prepared<A extends unknown[], R>(build: (conn: Conn, ...args: A) => Compilable<R>): (conn: Conn, ...args: A) => Promise<QueryResult<R>> {
  const compiled = new Map<string, { query: CompiledQuery<R>; slots: ({ arg: number } | { value: unknown })[] }>();
  return async (conn, ...args) => {
    const engine = isPostgres(conn) ? 'postgres' : 'sqlite';
    let entry = compiled.get(engine);
    if (!entry) {
      entry = compile(conn, build, args.length);
      if (engine === 'postgres') parseOncePerConnection(entry.query.sql);
      compiled.set(engine, entry);
    }
    const parameters = entry.slots.map((s) => ('arg' in s ? args[s.arg] : s.value));
    return conn.executeQuery<R>({ ...entry.query, parameters, queryId: createQueryId() });
  };
}

const PLACEHOLDER = '\u0000prepared-argument:';

function compile<A extends unknown[], R>(conn: Conn, build: (conn: Conn, ...args: A) => Compilable<R>, arity: number) {
  const placeholders = Array.from({ length: arity }, (_, i) => `${PLACEHOLDER}${i}`) as A;
  const query = build(conn, ...placeholders).compile();
  const slots = query.parameters.map((value) => {
    const arg = placeholders.indexOf(value as A[number]);
    if (arg >= 0) return { arg };
    if (typeof value === 'string' && value.includes(PLACEHOLDER)) throw new Error('prepared query: an argument is used inside another value');
    return { value };
  });
  return { query, slots };
}

/** Rows changed by a prepared UPDATE or DELETE without RETURNING. */
export const affectedRows = (result: QueryResult<unknown>): number => Number(result.numAffectedRows ?? 0);

/**
 * Prepared queries whose SQL differs with some of the call's options (a status, whether a field
 * is set): one prepared query per variant, made on first use. `key` must name everything
 * `make` closes over.
 */
export function preparedVariants<F>(make: (key: string) => F): (key: string) => F {
  const variants = new Map<string, F>();
  return (key) => {
    let variant = variants.get(key);
    if (!variant) variants.set(key, (variant = make(key)));
    return variant;
  };
}

/**
 * An INSERT of one row, prepared once for each set of columns the rows carry (columns whose
 * value is undefined are left out, as Kysely's `values` does). `finish` adds a clause such as
 * ON CONFLICT. Resolves to the number of rows inserted.
 */
export function preparedInsert<T extends keyof DB & string>(
  table: T,
  finish: (insert: InsertQueryBuilder<DB, T, InsertResult>) => Compilable<unknown> = (insert) => insert,
): (conn: Conn, row: NewRow<T>) => Promise<number> {
  const byColumns = preparedVariants((key) => {
    const columns = key.split(',');
    return prepared((conn: Conn, ...values: unknown[]) => finish(conn.insertInto(table).values(Object.fromEntries(columns.map((c, i) => [c, values[i]])) as never)));
  });
  return async (conn, row) => {
    const entries = Object.entries(row).filter(([, value]) => value !== undefined);
    const insert = byColumns(entries.map(([column]) => column).join(','));
    return affectedRows(await insert(conn, ...entries.map(([, value]) => value)));
  };
}

/**
 * A list of ids as one parameter, so one prepared statement serves a list of any length:
 * `column` is one of `ids`, which the caller passes through `idList`. PostgreSQL takes an array
 * and finds each id by key (`= any($1::text[])`); SQLite reads a JSON array (`json_each`).
 */
export const inIdList = (conn: Conn, column: string, ids: unknown): Expression<SqlBool> =>
  isPostgres(conn) ? sql<SqlBool>`${sql.ref(column)} = any(${ids}::text[])` : sql<SqlBool>`${sql.ref(column)} in (select value from json_each(${ids}))`;

export const idList = (conn: Conn, ids: readonly string[]): unknown => (isPostgres(conn) ? ids : JSON.stringify(ids));
