import { useCallback, useEffect, useState } from 'react';
import * as api from '../api/api';
import { errorMessage } from '../api/http';
import type { AuditEntry } from '../api/types';
import { fullDateTime } from '../lib/format';
import { ErrorNote } from '../ui/ConfirmDialog';

/** The server names the actor it still knows; an entry without one was Parley's own doing. */
const actorOf = ({ actor }: AuditEntry): string => (actor ? (actor.name ?? 'A former user') : 'Parley');

/** Who connected, disconnected, added or removed what, and when. Read-only. */
export function AuditLog() {
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
              <strong>{actorOf(entry)}</strong> <code>{entry.action}</code> {entry.target ?? ''}
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
