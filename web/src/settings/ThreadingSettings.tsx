import { useState, type FormEvent } from 'react';
import * as api from '../api/api';
import { useSession } from '../app/session';
import { useAction } from '../lib/useAction';
import { SaveActions } from '../ui/SaveActions';

export function ThreadingSettings() {
  const { me, setOrganization } = useSession();
  const current = me.organization.threadingWindowHours;
  const [hours, setHours] = useState(String(current));
  const { busy, error, run } = useAction();
  const [saved, setSaved] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    return run(async () => {
      setOrganization((await api.updateSettings({ threadingWindowHours: Number(hours) })).organization);
      setSaved(true);
    });
  };

  return (
    <section className="settings-section" aria-labelledby="threading-title" data-testid="threading-settings">
      <h2 id="threading-title">Threading</h2>
      <p>
        A customer's text joins their latest conversation on the same number if that conversation had a message within this window;
        otherwise a new conversation starts. A closed conversation it joins reopens.
      </p>
      <form className="stack narrow-form" onSubmit={submit}>
        <label className="field">
          <span>Threading window (hours)</span>
          <input
            type="number"
            min="0.01"
            max="720"
            step="any"
            inputMode="decimal"
            required
            value={hours}
            onChange={(e) => {
              setHours(e.target.value);
              setSaved(false);
            }}
          />
        </label>
        <p className="muted small">More than 0 and at most 720 hours (30 days). Fractions are allowed.</p>
        <SaveActions error={error} disabled={busy || Number(hours) === current} saved={saved} />
      </form>
    </section>
  );
}
