import { sql, type SqlBool } from 'kysely';
import { isPostgres, type Conn, type Tx } from '../../db/database.js';
import type { CursorKey } from '../../domain/cursor.js';
import { ftsMatch, tsQuery } from '../../domain/message-search.js';

export interface MessageSearch {
  organizationId: string;
  /** The query's words (src/domain/message-search.ts queryWords), at least one. */
  words: string[];
  after?: CursorKey;
  limit: number;
  /** How long the newest-first walk may be (each engine's own by default); tests shorten it to reach the other plan. */
  walkRows?: number;
}

/**
 * The organization's messages holding every word as a word prefix, newest first, each with the
 * conversation and customer a result shows (docs/architecture.md#searching-messages).
 */
export const searchMessages = (conn: Conn, s: MessageSearch) => (isPostgres(conn) ? searchPostgres(conn, s) : searchSqlite(conn, s));

const RESULT_COLUMNS = ['conversations.status as conversationStatus', 'conversations.customerId', 'customers.name as customerName', 'customers.phone as customerPhone'] as const;

/**
 * How many of the organization's newest messages a PostgreSQL search checks before it turns to
 * the GIN index: beyond it a page's matches are rare enough that sorting all of them is cheaper.
 */
const POSTGRES_WALK_ROWS = 10_000;

/**
 * The page is chosen in `message_search` alone, newest first by (created_at, id) like every
 * list, and only its rows are joined.
 */
const searchPostgres = async (conn: Conn, s: MessageSearch) => {
  const ids = await newestMatches(conn, s);
  if (ids.length === 0) return [];
  return conn
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversationId')
    .innerJoin('customers', 'customers.id', 'conversations.customerId')
    .selectAll('messages')
    .select(RESULT_COLUMNS)
    .where('messages.id', 'in', ids)
    .orderBy('messages.createdAt', 'desc')
    .orderBy('messages.id', 'desc')
    .execute();
};

const tsquery = (words: string[]) => sql`to_tsquery('simple'::regconfig, ${tsQuery(words)})`;

/**
 * The ids of the page's messages. The planner cannot tell how many messages a prefix (`:*`)
 * matches, and its guess picked the wrong one of two plans, each of which is slow where the
 * other is fast; so the app chooses, from what the first one saw:
 *
 * 1. Walk `message_search_newest` from the newest message (or the cursor), checking each row's
 *    stored words, and stop when the page is full: a few dozen rows for a common word, whatever
 *    the number of messages. The walk stops after `walkRows` rows; the last of those is returned
 *    even when it does not match, as the sign that older messages were left unread, with how
 *    many of the walked rows held each word (running counts, so a walk that fills the page early
 *    pays nothing more). Sorting is priced out for this statement: the only other plan sorts the
 *    whole organization, which the planner chose when `message_search` had no statistics yet
 *    (just filled, before autovacuum's analyze): seconds at a million messages.
 * 2. Only when the walk ran out: the words are rare (under a page in `walkRows` messages), so the
 *    GIN index finds all of them and they are sorted. A prefix's GIN entries are read whole
 *    (`order:*` is tens of thousands of rows at a million messages), so when one word alone was
 *    rare in the walk, only it is looked up, in a MATERIALIZED CTE that holds nothing else (the
 *    planner can neither fold the other words into the index scan nor start from the
 *    organization), with sequential scans priced out; the rest is checked on its few rows.
 */
const newestMatches = (conn: Conn, s: MessageSearch): Promise<string[]> =>
  conn.isTransaction ? matchesIn(conn as Tx, s) : conn.transaction().execute((tx) => matchesIn(tx, s));

async function matchesIn(tx: Tx, s: MessageSearch): Promise<string[]> {
  const walkRows = s.walkRows ?? POSTGRES_WALK_ROWS;
  const older = s.after ? sql`and (created_at, message_id) < (${s.after.at}, ${s.after.id})` : sql``;
  const counts = s.words.map((w) => sql`count(*) filter (where words @@ ${tsquery([w])}) over newest`);
  const { rows } = await withPlanner(tx, 'enable_sort', () => sql<{ messageId: string; hit: boolean; walked: number; hits: number[] }>`
    select message_id, hit, walked, hits from (
      select message_id, created_at, words @@ ${tsquery(s.words)} as hit, row_number() over newest as walked, array[${sql.join(counts)}]::int[] as hits
      from (
        select message_id, created_at, words from message_search
        where organization_id = ${s.organizationId} ${older}
        order by created_at desc, message_id desc
        limit ${walkRows}
      ) as recent
      window newest as (order by created_at desc, message_id desc rows unbounded preceding)
    ) as walk
    where hit or walked = ${walkRows}
    order by created_at desc, message_id desc
    limit ${s.limit}`.execute(tx));
  const matches = rows.filter((r) => r.hit).map((r) => r.messageId);
  const end = rows.find((r) => r.walked === walkRows);
  if (matches.length === s.limit || !end) return matches;

  const fewest = Math.min(...end.hits);
  const lookedUp = fewest < s.limit ? [s.words[end.hits.indexOf(fewest)]!] : s.words;
  const found = await withPlanner(tx, 'enable_seqscan', () => sql<{ messageId: string }>`
    with found as materialized (select message_id, organization_id, created_at, words from message_search where words @@ ${tsquery(lookedUp)})
    select message_id from found
    where organization_id = ${s.organizationId} ${older} and words @@ ${tsquery(s.words)}
    order by created_at desc, message_id desc
    limit ${s.limit}`.execute(tx));
  return found.rows.map((r) => r.messageId);
}

/** Runs `read` with one plan of the planner's turned off, as it was again afterwards (the rest of the transaction plans freely). */
async function withPlanner<T>(tx: Tx, setting: 'enable_sort' | 'enable_seqscan', read: () => Promise<T>): Promise<T> {
  const { rows } = await sql<{ was: string }>`select current_setting(${setting}) as was, set_config(${setting}, 'off', true)`.execute(tx);
  const result = await read();
  await sql`select set_config(${setting}, ${rows[0]!.was}, true)`.execute(tx);
  return result;
}

/** The longest prefix FTS5 keeps an index of (`prefix='1 2 3'`, migration 0011). */
const INDEXED_PREFIX = 3;

/**
 * The long words `parley_starts_words` decides as FTS5 would. The check folds words as FTS5's
 * tokenizer does for Latin letters, but FTS5 keeps its own tables for the rest (it keeps the
 * accent of a Greek or Cyrillic letter, splits Hebrew or Devanagari words at their marks), and a
 * page must not depend on which plan found it. Other words take the index's merge, as before.
 */
const CHECKABLE = /^[a-z0-9]+$/;

/**
 * How many rows of the words' first three characters SQLite checks for the whole words (a few
 * µs each: the body is read and folded) before turning to the index. Beyond it the words fill
 * less than a page in 500 of those rows, so their own lists are short.
 */
const SQLITE_WALK_ROWS = 500;

/**
 * FTS5 hands matches out newest first (its rowid is the message's search key, in time order), so
 * a page reads only as many matches as it shows. A cursor resumes below the key of the message
 * it names; ties within a millisecond follow the order the messages were stored in.
 *
 * A word of up to three characters is read from a prefix index, lazily. A longer one is not:
 * FTS5 merges the lists of every word it starts, in full, before the first row (`arrived` in
 * half of a million messages: 90 ms). So each long word's first three characters are looked up
 * instead, and each row they find is checked for the whole words (`parley_starts_words`, the
 * index's own folding, src/domain/message-search.ts), up to `walkRows` rows: a common word fills
 * a page in a few dozen. Only when the walk runs out are the words rare enough for the index:
 * then the longest word alone (the likeliest to be rare) is merged in full, and the rows it finds
 * are checked for the others, so a rare word beside a common one never merges the common one.
 */
async function searchSqlite(conn: Conn, s: MessageSearch) {
  const length = (w: string) => [...w].length;
  const walkable = s.words.some((w) => length(w) > INDEXED_PREFIX) && s.words.every((w) => length(w) <= INDEXED_PREFIX || CHECKABLE.test(w));
  if (!walkable) return sqlitePage(conn, s, ftsMatch(s.organizationId, s.words));
  const walkRows = s.walkRows ?? SQLITE_WALK_ROWS;
  const shortened = (keep?: string) => ftsMatch(s.organizationId, [...new Set(s.words.map((w) => (w === keep ? w : [...w].slice(0, INDEXED_PREFIX).join(''))))]);
  const walked = await sqlitePage(conn, s, shortened(), { words: s.words, rows: walkRows });
  if (walked.length === s.limit) return walked;
  const beyond = await conn
    .selectFrom('messageSearch')
    .select(sql`1`.as('more'))
    .where(sql<SqlBool>`message_search match ${shortened()}`)
    .$call(olderThanCursor(s))
    .orderBy('messageSearch.rowid', 'desc')
    .limit(1)
    .offset(walkRows - 1)
    .executeTakeFirst();
  if (!beyond) return walked;
  const longest = s.words.reduce((a, b) => (length(b) > length(a) ? b : a));
  return sqlitePage(conn, s, shortened(longest), { words: s.words });
}

const olderThanCursor =
  (s: MessageSearch) =>
  <Q extends { where(e: ReturnType<typeof sql<SqlBool>>): Q }>(q: Q): Q =>
    s.after ? q.where(sql<SqlBool>`message_search.rowid < (select search_key from messages as cursor where cursor.id = ${s.after.id})`) : q;

/** The page of `match`'s messages; with `check`, those holding its whole words, among the newest `check.rows` when given. */
const sqlitePage = (conn: Conn, s: MessageSearch, match: string, check?: { words: string[]; rows?: number }) =>
  conn
    .selectFrom(
      conn
        .selectFrom('messageSearch')
        .select(sql<number>`message_search.rowid`.as('searchKey'))
        .where(sql<SqlBool>`message_search match ${match}`)
        .$call(olderThanCursor(s))
        .orderBy('messageSearch.rowid', 'desc')
        .$if(check?.rows !== undefined, (q) => q.limit(check!.rows!))
        .as('found'),
    )
    .innerJoin('messages', (join) => join.on(sql<SqlBool>`messages.search_key = found.search_key`))
    .innerJoin('conversations', 'conversations.id', 'messages.conversationId')
    .innerJoin('customers', 'customers.id', 'conversations.customerId')
    .selectAll('messages')
    .select(RESULT_COLUMNS)
    .where('messages.organizationId', '=', s.organizationId)
    .$if(check !== undefined, (q) => q.where(sql<SqlBool>`parley_starts_words(messages.body, ${check!.words.join(' ')})`))
    .orderBy(sql`found.search_key`, 'desc')
    .limit(s.limit)
    .execute();

export type SearchRow = Awaited<ReturnType<typeof searchMessages>>[number];
