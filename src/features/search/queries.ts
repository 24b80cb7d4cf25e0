import { sql, type SqlBool } from 'kysely';
import { isPostgres, type Conn } from '../../db/database.js';
import { after } from '../../db/keyset.js';
import type { CursorKey } from '../../domain/cursor.js';
import { ftsMatch, tsQuery } from '../../domain/message-search.js';

export interface MessageSearch {
  organizationId: string;
  /** The query's words (src/domain/message-search.ts queryWords), at least one. */
  words: string[];
  after?: CursorKey;
  limit: number;
}

/**
 * The organization's messages holding every word as a word prefix, newest first, each with the
 * conversation and customer a result shows (docs/architecture.md#searching-messages).
 */
export const searchMessages = (conn: Conn, s: MessageSearch) => (isPostgres(conn) ? searchPostgres(conn, s) : searchSqlite(conn, s));

const RESULT_COLUMNS = ['conversations.status as conversationStatus', 'conversations.customerId', 'customers.name as customerName', 'customers.phone as customerPhone'] as const;

/**
 * The page is chosen in `message_search` alone, newest first by (created_at, id) like every
 * list, and only its rows are joined: for a common word PostgreSQL walks message_search_newest
 * checking each row's stored words until the page is full; for a rare one it sorts the GIN
 * index's few matches.
 */
const searchPostgres = (conn: Conn, s: MessageSearch) => {
  const page = conn
    .selectFrom('messageSearch')
    .select(['messageSearch.messageId', 'messageSearch.createdAt'])
    .where('messageSearch.organizationId', '=', s.organizationId)
    .where(sql<SqlBool>`message_search.words @@ to_tsquery('simple'::regconfig, ${tsQuery(s.words)})`)
    .$if(s.after !== undefined, (q) => q.where((eb) => after(eb, { at: 'messageSearch.createdAt', id: 'messageSearch.messageId' }, s.after!)))
    .orderBy('messageSearch.createdAt', 'desc')
    .orderBy('messageSearch.messageId', 'desc')
    .limit(s.limit)
    .as('found');
  return conn
    .selectFrom(page)
    .innerJoin('messages', 'messages.id', 'found.messageId')
    .innerJoin('conversations', 'conversations.id', 'messages.conversationId')
    .innerJoin('customers', 'customers.id', 'conversations.customerId')
    .selectAll('messages')
    .select(RESULT_COLUMNS)
    .orderBy('found.createdAt', 'desc')
    .orderBy('found.messageId', 'desc')
    .execute();
};

/**
 * FTS5 hands matches out newest first (its rowid is the message's search key, in time order), so
 * a page reads only as many matches as it shows. A cursor resumes below the key of the message
 * it names; ties within a millisecond follow the order the messages were stored in.
 */
const searchSqlite = (conn: Conn, s: MessageSearch) =>
  conn
    .selectFrom('messageSearch')
    .innerJoin('messages', (join) => join.on(sql<SqlBool>`messages.search_key = message_search.rowid`))
    .innerJoin('conversations', 'conversations.id', 'messages.conversationId')
    .innerJoin('customers', 'customers.id', 'conversations.customerId')
    .selectAll('messages')
    .select(RESULT_COLUMNS)
    .where(sql<SqlBool>`message_search match ${ftsMatch(s.organizationId, s.words)}`)
    .where('messages.organizationId', '=', s.organizationId)
    .$if(s.after !== undefined, (q) => q.where(sql<SqlBool>`message_search.rowid < (select search_key from messages as cursor where cursor.id = ${s.after!.id})`))
    .orderBy('messageSearch.rowid', 'desc')
    .limit(s.limit)
    .execute();

export type SearchRow = Awaited<ReturnType<typeof searchMessages>>[number];
