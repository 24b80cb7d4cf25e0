import { CompiledQuery } from 'kysely';
import type { Conn } from './database.js';
import { parseOncePerConnection } from './pg-statements.js';

/** The tables whose writes a batch may hold back, in the order they are sent (each refers to the one before). */
const TABLES = ['customers', 'conversations', 'messages', 'media', 'jobs'] as const;
type HeldTable = (typeof TABLES)[number];
type Row = Record<string, unknown>;

interface Held {
  inserts: Map<HeldTable, Row[]>;
  /** Changes to rows already stored, by id; the last one of a column wins. */
  updates: Map<HeldTable, Map<string, Row>>;
}

const held = new WeakMap<Conn, Held>();

/**
 * PostgreSQL only (SQLite runs statements in-process, where one more costs next to nothing), a group-committed batch: every statement is a round trip, and most of a batch's
 * are one insert or update per message. From here on its new customers, conversations and
 * messages and the conversations' activity are held back (holdInsert, holdUpdate) and sent in one
 * statement (sendHeldWrites) before the commit, with the media of pictures and their download
 * jobs. Whatever reads or writes rows that may refer to held ones sends them first:
 * takeReadAhead's own reads do, and so must a write that refers to a held row (an opt-out of a
 * customer, the away reply in a conversation).
 */
export function holdWrites(tx: Conn): void {
  held.set(tx, { inserts: new Map(), updates: new Map() });
}

export const holdsWrites = (tx: Conn) => held.has(tx);

/** Holds the insert back if this transaction holds writes (true); otherwise the caller inserts (false). */
export function holdInsert(tx: Conn, table: HeldTable, row: Row): boolean {
  const h = held.get(tx);
  if (!h) return false;
  const rows = h.inserts.get(table);
  if (rows) rows.push({ ...row });
  else h.inserts.set(table, [{ ...row }]);
  return true;
}

/** Holds an update of the row with this id back, merged into its held insert if there is one (true); otherwise the caller updates (false). */
export function holdUpdate(tx: Conn, table: HeldTable, id: string, values: Row): boolean {
  const h = held.get(tx);
  if (!h) return false;
  const inserted = h.inserts.get(table)?.find((row) => row.id === id);
  if (inserted) Object.assign(inserted, values);
  else {
    const updates = h.updates.get(table) ?? new Map<string, Row>();
    h.updates.set(table, updates.set(id, { ...updates.get(id), ...values }));
  }
  return true;
}

/** The order a table's held rows are sent in: by their unique key, so two batches inserting the same ones meet in the same order. */
const UNIQUE: Record<HeldTable, (row: Row) => string> = {
  customers: (row) => `${String(row.organizationId)} ${String(row.phone)}`,
  conversations: (row) => String(row.id),
  messages: (row) => String(row.twilioSid ?? row.id),
  media: (row) => String(row.id),
  jobs: (row) => String(row.id),
};

/**
 * Sends what is held in one statement: each table's rows come as one JSON array
 * (`json_populate_recordset`, PostgreSQL only: one parameter however many rows), inserted in the
 * order of TABLES (PostgreSQL checks foreign keys at the end of the statement), then the updates.
 * Each part but the last is a data-modifying WITH, and every part sees the database as it was
 * before the statement: an update never reaches a row inserted with it, which is why holdUpdate
 * merges into a held insert.
 */
export async function sendHeldWrites(tx: Conn): Promise<void> {
  const h = held.get(tx);
  if (!h || (h.inserts.size === 0 && h.updates.size === 0)) return;
  holdWrites(tx);
  const parts: string[] = [];
  const parameters: string[] = [];
  const recordset = (table: HeldTable, columns: string[], rows: Row[]) => {
    const names = columns.map(snakeCase);
    const records = rows.map((row) => {
      const record: Row = {};
      columns.forEach((column, i) => (record[names[i]!] = row[column]));
      return record;
    });
    parameters.push(JSON.stringify(records));
    return `json_populate_recordset(null::${table}, $${parameters.length}::json)`;
  };
  // One part per table and set of columns: a column a row leaves out takes its default, never
  // the null another row's shape would give it (in practice each table has one shape).
  for (const table of TABLES) {
    for (const [columns, shaped] of byColumns(inKeyOrder(table, h.inserts.get(table) ?? []))) {
      const list = columns.map((c) => `"${snakeCase(c)}"`).join(', ');
      parts.push(`insert into ${table} (${list}) select ${list} from ${recordset(table, columns, shaped)}`);
    }
  }
  for (const table of TABLES) {
    const rows = [...(h.updates.get(table) ?? [])].map(([id, values]) => ({ ...values, id }));
    for (const [columns, shaped] of byColumns(inKeyOrder(table, rows))) {
      const set = columns.filter((c) => c !== 'id').map((c) => `"${snakeCase(c)}" = held."${snakeCase(c)}"`).join(', ');
      // The limit tells the planner how few rows come (it takes a JSON parameter for 100 rows), so
      // each is found by its id rather than by reading the table. It is the count rounded up to a
      // power of two, written into the text: a parameter would leave the planner guessing at a
      // generic plan, and it would plan every batch afresh instead.
      parts.push(`update ${table} set ${set} from (select * from ${recordset(table, columns, shaped)} limit ${2 ** Math.ceil(Math.log2(shaped.length))}) as held where ${table}.id = held.id`);
    }
  }
  const last = parts.pop()!;
  const text = parts.length === 0 ? last : `with ${parts.map((part, i) => `held_${i} as (${part})`).join(', ')} ${last}`;
  // The text depends on which tables and columns a batch holds and on the limits' powers of two,
  // so batches send a few texts again and again; named, each is parsed and planned once a
  // connection rather than once a batch (a WITH of several parts, whose parsing and planning were
  // a large share of what a batch cost PostgreSQL).
  parseOncePerConnection(text);
  await tx.executeQuery(CompiledQuery.raw(text, parameters));
}

function inKeyOrder(table: HeldTable, rows: Row[]): Row[] {
  const keyed = rows.map((row) => ({ key: UNIQUE[table](row), row }));
  return keyed.sort((a, b) => (a.key < b.key ? -1 : 1)).map(({ row }) => row);
}

/**
 * Rows grouped by the columns they name, each group in the rows' order. Columns are taken in the
 * order a row has them: rows built by the same code share it, and two orders of the same columns
 * would only make two parts of the statement.
 */
function byColumns(rows: Row[]): [string[], Row[]][] {
  const groups = new Map<string, [string[], Row[]]>();
  for (const row of rows) {
    const columns = Object.keys(row).filter((k) => row[k] !== undefined);
    const key = columns.join(',');
    const group = groups.get(key);
    if (group) group[1].push(row);
    else groups.set(key, [columns, [row]]);
  }
  return [...groups.values()];
}

const snakeNames = new Map<string, string>();

/** As Kysely's CamelCasePlugin names columns (the raw statement above does not go through it); the names are the schema's, so few. */
function snakeCase(name: string): string {
  let snake = snakeNames.get(name);
  if (snake === undefined) snakeNames.set(name, (snake = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)));
  return snake;
}
