import type { Snippet } from '../../domain/message-search.js';
import type { MediaRow } from '../media/service.js';
import { presentMessage } from '../conversations/presenters.js';
import type { SearchRow } from './queries.js';

/** A result of docs/api.md#search: the message as the thread shows it, where it is, and why it matched. */
export function presentSearchResult(row: SearchRow, media: MediaRow[], snippet: Snippet) {
  return {
    message: presentMessage(row, media),
    conversation: { id: row.conversationId, status: row.conversationStatus, customer: { id: row.customerId, name: row.customerName, phone: row.customerPhone } },
    snippet,
  };
}

export type PresentedSearchResult = ReturnType<typeof presentSearchResult>;
