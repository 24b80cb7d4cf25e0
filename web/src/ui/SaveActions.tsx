import { ErrorNote } from './ConfirmDialog';

/** A settings form's foot: what went wrong, Save, and "Saved" once the last save went through. */
export function SaveActions({ error, disabled, saved }: { error: string | null; disabled: boolean; saved: boolean }) {
  return (
    <>
      {error && <ErrorNote message={error} />}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={disabled}>
          Save
        </button>
        {saved && (
          <span role="status" className="muted">
            Saved
          </span>
        )}
      </div>
    </>
  );
}
