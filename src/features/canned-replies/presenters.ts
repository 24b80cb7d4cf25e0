import type { CannedReplyRow } from './queries.js';

/** The canned reply of docs/api.md#objects. */
export const presentCannedReply = (r: CannedReplyRow) => ({
  id: r.id,
  shortcut: r.shortcut,
  title: r.title,
  body: r.body,
  createdBy: r.createdBy,
  updatedAt: new Date(r.updatedAt).toISOString(),
});

export type PresentedCannedReply = ReturnType<typeof presentCannedReply>;
