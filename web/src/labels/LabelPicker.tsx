import { useState } from 'react';
import type { Conversation, Id } from '../api/types';
import { LabelChip } from './LabelChip';
import { useLabels } from './useLabels';

interface LabelPickerProps {
  conversation: Conversation;
  onChange(labelIds: Id[]): Promise<void>;
}

/** The conversation's labels, and a checklist of the organization's labels to change them. */
export function LabelPicker({ conversation, onChange }: LabelPickerProps) {
  const { labels, reload } = useLabels();
  const [busy, setBusy] = useState(false);
  const carried = new Set(conversation.labels.map((l) => l.id));

  const toggle = async (id: Id) => {
    const next = carried.has(id) ? [...carried].filter((l) => l !== id) : [...carried, id];
    setBusy(true);
    try {
      await onChange(next);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="label-picker">
      {conversation.labels.map((l) => (
        <LabelChip key={l.id} label={l} />
      ))}
      <details onToggle={(e) => e.currentTarget.open && reload()}>
        <summary className="button button-small">Labels</summary>
        <fieldset className="label-menu" disabled={busy}>
          <legend className="sr-only">Labels of this conversation</legend>
          {labels.length === 0 && <p className="muted">No labels yet: an admin adds them in Settings.</p>}
          {labels.map((l) => (
            <label key={l.id} className="label-option">
              <input type="checkbox" checked={carried.has(l.id)} onChange={() => void toggle(l.id)} /> <LabelChip label={l} />
            </label>
          ))}
        </fieldset>
      </details>
    </div>
  );
}
