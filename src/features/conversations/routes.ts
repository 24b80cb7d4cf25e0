import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { authOf, type AuthHooks } from '../../http/auth.js';
import { MAX_NOTE_CHARACTERS } from '../../domain/text.js';
import { id, parse, searchQuery, text } from '../../http/validate.js';
import { startInput } from '../outbound/routes.js';
import { startConversation } from '../outbound/service.js';
import { addNote } from './notes.js';
import * as conversations from './service.js';

const cursor = text().min(1).max(200).optional();
const limit = (max: number, fallback: number) => z.coerce.number().int('must be a whole number').min(1).max(max).default(fallback);

const inboxQuery = z
  .object({
    status: z.enum(['open', 'closed']).optional(),
    assignee: text().min(1).max(64).optional(),
    q: searchQuery().optional(),
    label: text().min(1).max(64).optional(),
    cursor,
    limit: limit(100, 25),
  })
  .strict();

const threadQuery = z.object({ cursor, limit: limit(200, 50) }).strict();

const changes = z
  .object({
    status: z.enum(['open', 'closed']).optional(),
    assigneeId: text().min(1).max(64).nullable().optional(),
  })
  .strict();

const labelsInput = z.object({ labelIds: z.array(text().min(1).max(64)).max(50, 'must hold at most 50 labels') }).strict();

const noteInput = z.object({ body: text().trim().min(1, 'must not be empty').max(MAX_NOTE_CHARACTERS, `must be at most ${MAX_NOTE_CHARACTERS.toLocaleString('en-US')} characters`) }).strict();

export function conversationRoutes(app: FastifyInstance, ctx: Context, auth: AuthHooks) {
  const user = { preHandler: auth.requireUser };

  app.get('/api/conversations', { ...user, schema: { querystring: inboxQuery } }, (req) => conversations.listConversations(ctx, authOf(req), parse(inboxQuery, req.query)));

  // Texting a customer first picks or opens the conversation; outbound does the sending.
  app.post('/api/conversations', { ...user, schema: { body: startInput } }, async (req, res) => res.status(202).send(await startConversation(ctx, authOf(req), parse(startInput, req.body))));

  app.get('/api/conversations/:id', user, (req) => conversations.getConversation(ctx, authOf(req), parse(id, req.params).id));

  app.patch('/api/conversations/:id', { ...user, schema: { body: changes } }, (req) =>
    conversations.updateConversation(ctx, authOf(req), parse(id, req.params).id, parse(changes, req.body)),
  );

  app.post('/api/conversations/:id/read', user, (req) => conversations.markConversationRead(ctx, authOf(req), parse(id, req.params).id));

  app.put('/api/conversations/:id/labels', { ...user, schema: { body: labelsInput } }, (req) =>
    conversations.setLabels(ctx, authOf(req), parse(id, req.params).id, parse(labelsInput, req.body).labelIds),
  );

  app.post('/api/conversations/:id/notes', { ...user, schema: { body: noteInput } }, async (req, res) =>
    res.status(201).send(await addNote(ctx, authOf(req), parse(id, req.params).id, parse(noteInput, req.body).body)),
  );

  app.get('/api/conversations/:id/messages', { ...user, schema: { querystring: threadQuery } }, (req) =>
    conversations.listMessages(ctx, authOf(req), parse(id, req.params).id, parse(threadQuery, req.query)),
  );
}
