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

/** The messages found (joined from the index), with the conversation and customer a result shows. */
const withConversation = (conn: Conn) =>
  conn
    .selectFrom('messageSearch')
    .innerJoin('messages', (join) =>
      isPostgres(conn) ? join.onRef('messages.id', '=', 'messageSearch.messageId') : join.on(sql<SqlBool>`messages.search_key = message_search.rowid`),
    )
    .innerJoin('conversations', 'conversations.id', 'messages.conversationId')
    .innerJoin('customers', 'customers.id', 'conversations.customerId')
    .selectAll('messages')
    .select(['conversations.status as conversationStatus', 'conversations.customerId', 'customers.name as customerName', 'customers.phone as customerPhone']);

/**
 * The index's rows of the organization whose words match, newest first by (created_at, id) like
 * every list: for a common word PostgreSQL walks message_search_newest checking each row's
 * stored words until the page is full; for a rare one it sorts the GIN index's few matches.
 */
const searchPostgres = (conn: Conn, s: MessageSearch) =>
  withConversation(conn)
    .where('messageSearch.organizationId', '=', s.organizationId)
    .where(sql<SqlBool>`message_search.words @@ to_tsquery('simple'::regconfig, ${tsQuery(s.words)})`)
    .$if(s.after !== undefined, (q) => q.where((eb) => after(eb, { at: 'messageSearch.createdAt', id: 'messageSearch.messageId' }, s.after!)))
    .orderBy('messageSearch.createdAt', 'desc')
    .orderBy('messageSearch.messageId', 'desc')
    .limit(s.limit)
    .execute();

/**
 * FTS5 hands matches out newest first (its rowid is the message's search key, in time order), so
 * a page reads only as many matches as it shows. A cursor resumes below the key of the message
 * it names; ties within a millisecond follow the order the messages were stored in.
 */
const searchSqlite = (conn: Conn, s: MessageSearch) =>
  withConversation(conn)
    .where(sql<SqlBool>`message_search match ${ftsMatch(s.organizationId, s.words)}`)
    .where('messages.organizationId', '=', s.organizationId)
    .$if(s.after !== undefined, (q) => q.where(sql<SqlBool>`message_search.rowid < (select search_key from messages as cursor where cursor.id = ${s.after!.id})`))
    .orderBy('messageSearch.rowid', 'desc')
    .limit(s.limit)
    .execute();

export type SearchRow = Awaited<ReturnType<typeof searchMessages>>[number];
