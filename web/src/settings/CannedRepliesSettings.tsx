import { useId, useState, type FormEvent } from 'react';
import { PLACEHOLDERS } from '../../../src/domain/placeholders';
import { countSegments } from '../../../src/domain/segments';
import * as api from '../api/api';
import type { CannedReply } from '../api/types';
import { useSession, useDirectory } from '../app/session';
import { useCannedReplies } from '../canned/useCannedReplies';
import { SegmentCounter } from '../composer/SegmentCounter';
import { useAction } from '../lib/useAction';
import { ErrorNote } from '../ui/ConfirmDialog';

type Draft = Pick<CannedReply, 'shortcut' | 'title' | 'body'>;
const EMPTY: Draft = { shortcut: '', title: '', body: '' };

/**
 * Replies the team inserts with `/shortcut` (docs/rules.md#canned-replies): anyone adds one, its
 * author edits or deletes it, and admins any of them; the API refuses the rest anyway.
 */
export function CannedRepliesSettings() {
  const { replies, reload } = useCannedReplies();
  const { me, isAdmin } = useSession();
  const [editing, setEditing] = useState<string | null>(null);

  return (
    <section className="settings-section" aria-labelledby="canned-title" data-testid="canned-settings">
      <h2 id="canned-title">Canned replies</h2>
      <p>
        Type <kbd>/</kbd> in a reply to insert one. Placeholders are filled for the conversation: {PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}; a
        missing name leaves no gap.
      </p>
      {replies.length === 0 && <p className="muted">No canned replies yet.</p>}
      <ul className="canned-list" aria-label="Canned replies">
        {replies.map((r) =>
          editing === r.id ? (
            <li key={r.id}>
              <CannedReplyForm
                initial={r}
                submitLabel="Save"
                onSubmit={(draft) => api.updateCannedReply(r.id, draft)}
                onDone={() => (setEditing(null), reload())}
                onCancel={() => setEditing(null)}
              />
            </li>
          ) : (
            <CannedReplyRow key={`${r.id}${r.updatedAt}`} reply={r} editable={isAdmin || r.createdBy === me.user.id} onEdit={() => setEditing(r.id)} onDeleted={reload} />
          ),
        )}
      </ul>
      <h3>Add a canned reply</h3>
      <CannedReplyForm initial={EMPTY} submitLabel="Add canned reply" onSubmit={api.createCannedReply} onDone={reload} />
    </section>
  );
}

function CannedReplyRow({ reply, editable, onEdit, onDeleted }: { reply: CannedReply; editable: boolean; onEdit(): void; onDeleted(): void }) {
  const { userById } = useDirectory();
  const { busy, error, run } = useAction();
  const author = userById(reply.createdBy)?.name ?? 'a former user';
  return (
    <li className="canned-item" data-testid="canned-reply">
      <p className="canned-item-head">
        <span className="suggestion-shortcut">/{reply.shortcut}</span> {reply.title} <span className="muted">by {author}</span>
      </p>
      <p className="canned-item-body">{reply.body}</p>
      {editable && (
        <div className="form-actions">
          <button type="button" className="button button-small" onClick={onEdit} aria-label={`Edit /${reply.shortcut}`}>
            Edit
          </button>
          <button
            type="button"
            className="button button-small"
            disabled={busy}
            aria-label={`Delete /${reply.shortcut}`}
            onClick={() =>
              run(async () => {
                await api.deleteCannedReply(reply.id);
                onDeleted();
              })
            }
          >
            Delete
          </button>
        </div>
      )}
      {error && <ErrorNote message={error} />}
    </li>
  );
}

interface CannedReplyFormProps {
  initial: Draft;
  submitLabel: string;
  onSubmit(draft: Draft): Promise<unknown>;
  onDone(): void;
  onCancel?(): void;
}

function CannedReplyForm({ initial, submitLabel, onSubmit, onDone, onCancel }: CannedReplyFormProps) {
  const [draft, setDraft] = useState(initial);
  const { busy, error, run } = useAction();
  const id = useId();
  const count = countSegments(draft.body);
  const ready = draft.shortcut !== '' && draft.title.trim() !== '' && draft.body.trim() !== '' && !count.overLimit;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    return run(async () => {
      await onSubmit({ shortcut: draft.shortcut, title: draft.title.trim(), body: draft.body.trim() });
      setDraft(initial);
      onDone();
    });
  };

  return (
    <form className="stack canned-form" onSubmit={submit} aria-label={submitLabel === 'Save' ? `Edit /${initial.shortcut}` : 'Add a canned reply'}>
      <label className="field">
        <span>Shortcut</span>
        <input
          required
          maxLength={32}
          pattern="[a-z0-9\-]{1,32}"
          value={draft.shortcut}
          onChange={(e) => setDraft({ ...draft, shortcut: e.target.value.toLowerCase() })}
          aria-describedby={`${id}-shortcut-help`}
          autoComplete="off"
        />
      </label>
      <p id={`${id}-shortcut-help`} className="muted">
        Lower-case letters, digits and hyphens, e.g. refund-policy
      </p>
      <label className="field">
        <span>Title</span>
        <input required maxLength={100} value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} autoComplete="off" />
      </label>
      <label className="field">
        <span>Text</span>
        <textarea required rows={3} value={draft.body} onChange={(e) => setDraft({ ...draft, body: e.target.value })} aria-describedby={`${id}-counter`} />
      </label>
      <SegmentCounter count={count} id={`${id}-counter`} />
      {error && <ErrorNote message={error} />}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy || !ready}>
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
