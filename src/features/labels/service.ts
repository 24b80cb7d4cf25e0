import type { Context } from '../../context.js';
import type { Conn } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { conflict, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import type { AuthUser } from '../accounts/sessions.js';
import { presentLabel, type PresentedLabel } from './presenters.js';
import * as q from './queries.js';

export async function listLabels(ctx: Context, auth: AuthUser) {
  return (await q.listLabels(ctx.db, auth.organizationId)).map(presentLabel);
}

/** Admins name labels, unique per organization whatever their case (docs/rules.md#labels). */
export async function createLabel(ctx: Context, auth: AuthUser, input: { name: string; color: string }) {
  const now = ctx.clock.now();
  const row = { id: newId(now), organizationId: auth.organizationId, name: input.name, color: input.color.toLowerCase(), createdAt: now };
  await uniqueName(input.name, () => q.insertLabel(ctx.db, row));
  return presentLabel(row);
}

export async function updateLabel(ctx: Context, auth: AuthUser, id: string, changes: { name?: string; color?: string }) {
  if (!(await q.findLabel(ctx.db, auth.organizationId, id))) throw notFound('Label');
  const update = { ...changes, ...(changes.color ? { color: changes.color.toLowerCase() } : {}) };
  if (Object.keys(update).length > 0) await uniqueName(changes.name ?? '', () => q.updateLabel(ctx.db, auth.organizationId, id, update));
  const label = await q.findLabel(ctx.db, auth.organizationId, id);
  if (!label) throw notFound('Label');
  return presentLabel(label);
}

/** Deleting a label takes it off every conversation (the database cascades). */
export async function deleteLabel(ctx: Context, auth: AuthUser, id: string) {
  if (!(await q.findLabel(ctx.db, auth.organizationId, id))) throw notFound('Label');
  await q.deleteLabel(ctx.db, auth.organizationId, id);
}

async function uniqueName(name: string, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`name: a label named "${name}" already exists; pick another name or use that label`);
    throw err;
  }
}

/* For conversations: the labels it shows on each conversation. */

/** The organization's labels with these ids, by id; ids of another organization are absent. */
export async function labelsById(conn: Conn, organizationId: string, ids: string[]): Promise<Map<string, PresentedLabel>> {
  return presentedById(await q.labelsByIds(conn, organizationId, [...new Set(ids)]));
}

/** Label rows read elsewhere (a batch's read ahead), as labelsById gives them. */
export const presentedById = (rows: q.LabelRow[]): Map<string, PresentedLabel> => new Map(rows.map((r) => [r.id, presentLabel(r)]));

export type { PresentedLabel };
