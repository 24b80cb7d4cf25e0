import { useCallback, useEffect, useState } from 'react';
import * as api from '../api/api';
import { errorMessage } from '../api/http';
import type { AuditEntry } from '../api/types';
import { useDirectory } from '../app/session';
import { fullDateTime } from '../lib/format';
import { ErrorNote } from '../ui/ConfirmDialog';

const SHOWN_ELSEWHERE = new Set(['id', 'action', 'target', 'createdAt', 'actor', 'actorId', 'organizationId', 'userId', 'user']);

function describe(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Who connected, disconnected, added or removed what, and when. Read-only. */
export function AuditLog() {
  const { userById } = useDirectory();
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback((after: string | null) => {
    setLoading(true);
    api.listAudit(after).then(
      (page) => {
        setEntries((current) => (after ? [...current, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setLoading(false);
        setError(null);
      },
      (e: unknown) => {
        setError(errorMessage(e));
        setLoading(false);
      },
    );
  }, []);
  useEffect(() => load(null), [load]);

  const actorOf = (entry: AuditEntry): string => {
    const actor = entry.actor ?? entry.user;
    if (typeof actor === 'string') return actor;
    const a = actor && typeof actor === 'object' ? (actor as { id?: string; name?: string | null; email?: string }) : null;
    if (a?.name || a?.email) return a.name ?? a.email ?? '';
    const id = (a?.id ?? entry.actorId ?? entry.userId) as string | undefined;
    return userById(id)?.name ?? (id ? 'A former user' : 'Parley');
  };

  return (
    <section className="settings-section" aria-labelledby="audit-title" data-testid="audit-log">
      <h2 id="audit-title">Audit log</h2>
      {error && <ErrorNote message={error} onRetry={() => load(null)} />}
      {!loading && entries.length === 0 && !error && <p className="empty-state">Nothing recorded yet.</p>}
      <ol className="audit-list">
        {entries.map((entry) => (
          <li key={entry.id} className="audit-entry">
            <time dateTime={entry.createdAt}>{fullDateTime(entry.createdAt)}</time>
            <span>
              <strong>{actorOf(entry)}</strong> <code>{entry.action}</code> {typeof entry.target === 'string' ? entry.target : ''}
            </span>
            <span className="audit-details muted">
              {Object.entries(entry)
                .filter(([key]) => !SHOWN_ELSEWHERE.has(key))
                .map(([key, value]) => `${key}: ${describe(value)}`)
                .join(' · ')}
            </span>
          </li>
        ))}
      </ol>
      {cursor && (
        <button type="button" className="button" onClick={() => load(cursor)} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
