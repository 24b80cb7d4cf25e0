import { useState } from 'react';
import type { NotifyPreference } from '../../../src/domain/notify';
import * as api from '../api/api';
import { useAction } from '../lib/useAction';
import { ErrorNote } from '../ui/ConfirmDialog';
import { Modal } from '../ui/Modal';
import { notificationPermission, usePreferences } from './useNotifications';

const CHOICES: { value: NotifyPreference; label: string }[] = [
  { value: 'all', label: 'Every new text' },
  { value: 'mine_and_unassigned', label: 'Texts in conversations assigned to me or to nobody' },
  { value: 'mine', label: 'Texts in conversations assigned to me' },
  { value: 'none', label: 'Nothing' },
];

/** The user's own notification preferences, and the browser's permission asked on this click only. */
export function NotificationsDialog({ onClose }: { onClose: () => void }) {
  const [preferences, setPreferences] = usePreferences();
  const [permission, setPermission] = useState(notificationPermission);
  const { error, run } = useAction();

  const change = (changes: Partial<typeof preferences>) => run(async () => setPreferences(await api.updatePreferences(changes)));
  const ask = async () => setPermission(await Notification.requestPermission());

  return (
    <Modal title="Notifications" onClose={onClose} testId="notifications-dialog">
      <div className="stack">
        <fieldset className="stack hours-week">
          <legend>Notify me of</legend>
          {CHOICES.map((c) => (
            <label key={c.value} className="checkbox">
              <input type="radio" name="notify" value={c.value} checked={preferences.notify === c.value} onChange={() => change({ notify: c.value })} />
              <span>{c.label}</span>
            </label>
          ))}
        </fieldset>
        <label className="checkbox">
          <input type="checkbox" checked={preferences.sound} onChange={(e) => change({ sound: e.target.checked })} />
          <span>Play a sound</span>
        </label>
        {permission === 'default' && (
          <button type="button" className="button" onClick={() => void ask()}>
            Show desktop notifications
          </button>
        )}
        {permission === 'granted' && <p className="muted small">Desktop notifications are on in this browser.</p>}
        {permission === 'denied' && <p className="muted small">This browser blocks Parley's notifications; allow them in the site settings.</p>}
        {permission === 'unsupported' && <p className="muted small">This browser cannot show desktop notifications.</p>}
        <p className="muted small">One tab of this browser notifies, and only while you are not looking at Parley.</p>
        {error && <ErrorNote message={error} />}
        <div className="dialog-actions">
          <button type="button" className="button button-primary" onClick={onClose}>
            Done
          </button>
        </div>
      </div>
    </Modal>
  );
}
