import type { AuditRow } from './queries.js';

export function presentAuditEntry(row: AuditRow, actor: { id: string; name: string } | undefined) {
  return {
    id: row.id,
    action: row.action,
    target: row.target,
    actor: actor ? { id: actor.id, name: actor.name } : row.actorId ? { id: row.actorId, name: null } : null,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

export type PresentedAuditEntry = ReturnType<typeof presentAuditEntry>;
