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

const withConversation = (conn: Conn) =>
  conn
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversationId')
    .innerJoin('customers', 'customers.id', 'conversations.customerId')
    .selectAll('messages')
    .select(['conversations.status as conversationStatus', 'conversations.customerId', 'customers.name as customerName', 'customers.phone as customerPhone']);

/**
 * GIN finds the messages holding the words; ordered by (created_at, id) like every list. The
 * expression is the index's own, word for word, or PostgreSQL would not use it. For a common word
 * the planner walks messages_newest instead and stops when the page is full.
 */
const searchPostgres = (conn: Conn, s: MessageSearch) =>
  withConversation(conn)
    .where('messages.organizationId', '=', s.organizationId)
    .where(sql<SqlBool>`to_tsvector('simple'::regconfig, parley_search_text(messages.body)) @@ to_tsquery('simple'::regconfig, ${tsQuery(s.words)})`)
    .$if(s.after !== undefined, (q) => q.where((eb) => after(eb, { at: 'messages.createdAt', id: 'messages.id' }, s.after!)))
    .orderBy('messages.createdAt', 'desc')
    .orderBy('messages.id', 'desc')
    .limit(s.limit)
    .execute();

/**
 * FTS5 hands matches out newest first (its rowid is the message's search key, in time order), so
 * a page reads only as many matches as it shows. A cursor resumes below the key of the message
 * it names; ties within a millisecond follow the order the messages were stored in.
 */
const searchSqlite = (conn: Conn, s: MessageSearch) =>
  withConversation(conn)
    .innerJoin('messageSearch', (join) => join.on(sql<SqlBool>`message_search.rowid = messages.search_key`))
    .where(sql<SqlBool>`message_search match ${ftsMatch(s.organizationId, s.words)}`)
    .where('messages.organizationId', '=', s.organizationId)
    .$if(s.after !== undefined, (q) =>
      q.where(sql<SqlBool>`message_search.rowid < (select search_key from messages as cursor where cursor.id = ${s.after!.id})`),
    )
    .orderBy('messageSearch.rowid', 'desc')
    .limit(s.limit)
    .execute();

export type SearchRow = Awaited<ReturnType<typeof searchMessages>>[number];
