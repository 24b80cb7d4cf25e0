import type { Context } from '../../context.js';
import { readSnapshot } from '../../db/database.js';
import { cursorKey, pageOf } from '../../domain/cursor.js';
import { queryWords, snippetOf } from '../../domain/message-search.js';
import { isBlankText } from '../../domain/text.js';
import { invalid } from '../../errors.js';
import type { AuthUser } from '../accounts/sessions.js';
import { mediaOfMessages } from '../media/service.js';
import { presentSearchResult } from './presenters.js';
import * as q from './queries.js';

export interface SearchQuery {
  q: string;
  cursor?: string;
  limit: number;
}

/** docs/rules.md#searching-messages: the caller's organization's messages and notes, newest first. */
export async function searchMessages(ctx: Context, auth: AuthUser, input: SearchQuery) {
  if (isBlankText(input.q)) throw invalid('q', 'must not be empty: type a word to search for');
  const after = cursorKey(input.cursor);
  const words = queryWords(input.q);
  // Only punctuation: no word of any message can match.
  if (words.length === 0) return { items: [], nextCursor: null };
  const { rows, media } = await readSnapshot(ctx.db, async (tx) => {
    const rows = await q.searchMessages(tx, { organizationId: auth.organizationId, words, after, limit: input.limit + 1 });
    return { rows, media: await mediaOfMessages(tx, rows.slice(0, input.limit).map((m) => m.id)) };
  });
  const { page, nextCursor } = pageOf(rows, input.limit, (m) => ({ at: m.createdAt, id: m.id }));
  return { items: page.map((m) => presentSearchResult(m, media, snippetOf(m.body, words))), nextCursor };
}
