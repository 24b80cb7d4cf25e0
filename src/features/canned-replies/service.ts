import type { Context } from '../../context.js';
import { isUniqueViolation } from '../../db/errors.js';
import { PLACEHOLDERS, unknownPlaceholders } from '../../domain/placeholders.js';
import { conflict, forbidden, invalid, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import type { AuthUser } from '../accounts/sessions.js';
import { presentCannedReply } from './presenters.js';
import * as q from './queries.js';

export interface CannedReplyInput {
  shortcut: string;
  title: string;
  body: string;
}

export async function listCannedReplies(ctx: Context, auth: AuthUser) {
  return (await q.listCannedReplies(ctx.db, auth.organizationId)).map(presentCannedReply);
}

/** Any user writes canned replies for the whole organization (docs/rules.md#canned-replies). */
export async function createCannedReply(ctx: Context, auth: AuthUser, input: CannedReplyInput) {
  knownPlaceholdersOnly(input.body);
  const now = ctx.clock.now();
  const row = { id: newId(now), organizationId: auth.organizationId, ...input, createdBy: auth.id, createdAt: now, updatedAt: now };
  await uniqueShortcut(input.shortcut, () => q.insertCannedReply(ctx.db, row));
  return presentCannedReply(row);
}

export async function updateCannedReply(ctx: Context, auth: AuthUser, id: string, changes: Partial<CannedReplyInput>) {
  await editable(ctx, auth, id);
  if (changes.body !== undefined) knownPlaceholdersOnly(changes.body);
  await uniqueShortcut(changes.shortcut ?? '', () => q.updateCannedReply(ctx.db, auth.organizationId, id, { ...changes, updatedAt: ctx.clock.now() }));
  const reply = await q.findCannedReply(ctx.db, auth.organizationId, id);
  if (!reply) throw notFound('Canned reply');
  return presentCannedReply(reply);
}

export async function deleteCannedReply(ctx: Context, auth: AuthUser, id: string) {
  await editable(ctx, auth, id);
  await q.deleteCannedReply(ctx.db, auth.organizationId, id);
}

/** Its author changes it, or an admin; another organization's reply does not exist. */
async function editable(ctx: Context, auth: AuthUser, id: string) {
  const reply = await q.findCannedReply(ctx.db, auth.organizationId, id);
  if (!reply) throw notFound('Canned reply');
  if (reply.createdBy !== auth.id && auth.role !== 'admin') throw forbidden('Only its author or an admin may change or delete this canned reply');
  return reply;
}

/** Refused at save, so a typo never reaches a customer as "{{custmer.name}}". */
function knownPlaceholdersOnly(body: string) {
  const unknown = unknownPlaceholders(body);
  if (unknown.length === 0) return;
  const known = PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ');
  throw invalid('body', `unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the placeholders are ${known}`);
}

async function uniqueShortcut(shortcut: string, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`shortcut: a canned reply with the shortcut "/${shortcut}" already exists; pick another shortcut or edit that reply`);
    throw err;
  }
}
