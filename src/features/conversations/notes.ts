import type { Context } from '../../context.js';
import { mentionedUserIds } from '../../domain/mentions.js';
import { newId } from '../../ids.js';
import { notFound } from '../../errors.js';
import type { AuthUser } from '../accounts/sessions.js';
import { activeUserNames } from '../accounts/service.js';
import { messageEvent } from '../events/app-event.js';
import { publishCommitted } from '../events/publish.js';
import { presentMessage } from './presenters.js';
import * as q from './queries.js';

/**
 * An internal note (docs/rules.md#internal-notes): a message of the thread that is never sent and
 * is not customer activity, so the conversation's last activity, preview, threading and unread
 * marks stay as they were, except for the users it mentions, for whom it is unread.
 */
export async function addNote(ctx: Context, auth: AuthUser, conversationId: string, body: string) {
  const row = await ctx.db.transaction().execute(async (tx) => {
    const conversation = await q.findConversation(tx, auth.organizationId, conversationId);
    if (!conversation) throw notFound('Conversation');
    const mentions = mentionedUserIds(body, await activeUserNames(tx, auth.organizationId));
    const now = ctx.clock.now();
    const note = {
      id: newId(now),
      organizationId: auth.organizationId,
      conversationId,
      direction: 'note' as const,
      body,
      status: 'received' as const,
      errorCode: null,
      errorMessage: null,
      segments: 0,
      encoding: 'GSM-7' as const,
      twilioSid: null,
      authorId: auth.id,
      createdAt: now,
      updatedAt: now,
      automatic: 0 as const,
      mentions: JSON.stringify(mentions),
    };
    await q.insertMessage(tx, note);
    // The author has read their own note: mentioning oneself marks nothing.
    await q.markMentioned(tx, conversationId, mentions.filter((id) => id !== auth.id), now);
    return note;
  });
  const presented = presentMessage(row, []);
  await publishCommitted(ctx, [messageEvent('message.created', auth.organizationId, presented)]);
  return presented;
}
