import type { Id } from '../api/types';

/** Unsent replies per conversation, kept for this tab's life so switching conversations loses nothing. */
const drafts = new Map<string, string>();

export function getDraft(conversationId: Id): string {
  return drafts.get(conversationId) ?? '';
}

export function setDraft(conversationId: Id, body: string) {
  if (body) drafts.set(conversationId, body);
  else drafts.delete(conversationId);
}
