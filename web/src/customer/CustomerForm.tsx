import { useEffect, useState, type FormEvent } from 'react';
import * as api from '../api/api';
import type { Customer } from '../api/types';
import { formatPhone } from '../lib/format';
import { useAction } from '../lib/useAction';
import { ErrorNote } from '../ui/ConfirmDialog';

interface Fields {
  name: string;
  email: string;
  notes: string;
}

const fieldsOf = (customer: Customer): Fields => ({ name: customer.name ?? '', email: customer.email ?? '', notes: customer.notes ?? '' });

/** Name, email and notes, editable; phone shown (it is how the customer is known). */
export function CustomerForm({ customer, onSaved }: { customer: Customer; onSaved(customer: Customer): void }) {
  const [fields, setFields] = useState<Fields>(() => fieldsOf(customer));
  const [saved, setSaved] = useState<Fields>(() => fieldsOf(customer));
  const { busy, error, run } = useAction();
  const [status, setStatus] = useState<string | null>(null);
  const dirty = fields.name !== saved.name || fields.email !== saved.email || fields.notes !== saved.notes;

  // Someone else's edit arrives live: take it unless this person is mid-edit.
  useEffect(() => {
    const incoming = fieldsOf(customer);
    setSaved(incoming);
    setFields((current) => (dirty ? current : incoming));
  }, [customer]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setStatus(null);
    return run(async () => {
      const updated = await api.updateCustomer(customer.id, {
        name: fields.name.trim() || null,
        email: fields.email.trim() || null,
        notes: fields.notes.trim() ? fields.notes : null,
      });
      setSaved(fieldsOf(updated));
      setFields(fieldsOf(updated));
      onSaved(updated);
      setStatus('Saved');
    });
  };

  const set = (key: keyof Fields) => (e: { target: { value: string } }) => {
    setStatus(null);
    setFields({ ...fields, [key]: e.target.value });
  };

  return (
    <form className="stack customer-form" onSubmit={submit} aria-label="Customer details">
      <label className="field">
        <span>Name</span>
        <input value={fields.name} onChange={set('name')} placeholder="Unknown" autoComplete="off" />
      </label>
      <div className="field">
        <span>Phone</span>
        <a className="field-value" href={`tel:${customer.phone}`}>
          {formatPhone(customer.phone)}
        </a>
      </div>
      <label className="field">
        <span>Email</span>
        <input type="email" value={fields.email} onChange={set('email')} autoComplete="off" />
      </label>
      <label className="field">
        <span>Notes</span>
        <textarea rows={4} value={fields.notes} onChange={set('notes')} />
      </label>
      {error && <ErrorNote message={error} />}
      <div className="form-actions">
        <button type="submit" className="button button-primary button-small" disabled={!dirty || busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        {dirty && (
          <button type="button" className="button button-small" onClick={() => setFields(saved)}>
            Discard
          </button>
        )}
        <span role="status" className="muted">
          {status}
        </span>
      </div>
    </form>
  );
}
