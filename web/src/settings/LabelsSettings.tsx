import { useState, type FormEvent } from 'react';
import * as api from '../api/api';
import type { Label } from '../api/types';
import { LabelChip } from '../labels/LabelChip';
import { useLabels } from '../labels/useLabels';
import { useAction } from '../lib/useAction';
import { ErrorNote } from '../ui/ConfirmDialog';

/** Admins name and colour the labels agents put on conversations (docs/rules.md#labels). */
export function LabelsSettings() {
  const { labels, reload } = useLabels();
  const [name, setName] = useState('');
  const [color, setColor] = useState('#1f5f8b');
  const { busy, error, run } = useAction();

  const add = (event: FormEvent) => {
    event.preventDefault();
    return run(async () => {
      await api.createLabel({ name: name.trim(), color });
      setName('');
      reload();
    });
  };

  return (
    <section className="settings-section" aria-labelledby="labels-title" data-testid="labels-settings">
      <h2 id="labels-title">Labels</h2>
      <p>Agents tag conversations with these from the conversation's header, and filter the inbox by them.</p>
      <ul className="label-settings-list">
        {labels.map((l) => (
          <LabelRow key={`${l.id}${l.name}${l.color}`} label={l} onChanged={reload} />
        ))}
      </ul>
      <form className="form-actions" onSubmit={add} aria-label="Add a label">
        <label className="field">
          <span>Name</span>
          <input required maxLength={50} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>Colour</span>
          <input type="color" value={color} onChange={(e) => setColor(e.target.value)} />
        </label>
        <button type="submit" className="button button-primary" disabled={busy || !name.trim()}>
          Add label
        </button>
      </form>
      {error && <ErrorNote message={error} />}
    </section>
  );
}

function LabelRow({ label, onChanged }: { label: Label; onChanged(): void }) {
  const [name, setName] = useState(label.name);
  const [color, setColor] = useState(label.color);
  const { busy, error, run } = useAction();
  const changed = name.trim() !== label.name || color !== label.color;
  return (
    <li>
      <LabelChip label={{ ...label, name: name || label.name, color }} />
      <label>
        <span className="sr-only">Name of {label.name}</span>
        <input required maxLength={50} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        <span className="sr-only">Colour of {label.name}</span>
        <input type="color" value={color} onChange={(e) => setColor(e.target.value)} />
      </label>
      <button type="button" className="button button-small" disabled={busy || !changed || !name.trim()} onClick={() =>
          run(async () => {
            await api.updateLabel(label.id, { name: name.trim(), color });
            onChanged();
          })
        }>
        Save
      </button>
      <button type="button" className="button button-small" disabled={busy} onClick={() =>
          run(async () => {
            await api.deleteLabel(label.id);
            onChanged();
          })
        }>
        Delete
      </button>
      {error && <ErrorNote message={error} />}
    </li>
  );
}
