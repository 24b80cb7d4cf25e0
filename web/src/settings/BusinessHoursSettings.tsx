import { useMemo, useState, type FormEvent } from 'react';
import type { BusinessHours } from '../../../src/domain/business-hours';
import { countSegments } from '../../../src/domain/segments';
import * as api from '../api/api';
import { useSession } from '../app/session';
import { SegmentCounter } from '../composer/SegmentCounter';
import { useAction } from '../lib/useAction';
import { SaveActions } from '../ui/SaveActions';

/* Monday first, as a working week reads; `day` is the API's 0 (Sunday) to 6. */
const DAYS = [
  { day: 1, name: 'Monday' },
  { day: 2, name: 'Tuesday' },
  { day: 3, name: 'Wednesday' },
  { day: 4, name: 'Thursday' },
  { day: 5, name: 'Friday' },
  { day: 6, name: 'Saturday' },
  { day: 0, name: 'Sunday' },
];

interface DayForm {
  open: boolean;
  from: string;
  to: string;
}

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const zones = () => Intl.supportedValuesOf('timeZone');

/** One range a day in this form; the API takes several (a lunch break), and the first of each day is shown. */
function weekForm(hours: BusinessHours | null): Record<number, DayForm> {
  const week: Record<number, DayForm> = {};
  for (const { day } of DAYS) {
    const range = hours?.weekly.find((h) => h.day === day);
    const weekday = day >= 1 && day <= 5;
    week[day] = range ? { open: true, from: range.open, to: range.close } : { open: !hours && weekday, from: '09:00', to: '17:00' };
  }
  return week;
}

export function BusinessHoursSettings() {
  const { me, setOrganization } = useSession();
  const org = me.organization;
  const [enabled, setEnabled] = useState(org.businessHours !== null);
  const [timezone, setTimezone] = useState(org.businessHours?.timezone ?? browserZone());
  const [week, setWeek] = useState(() => weekForm(org.businessHours));
  const [message, setMessage] = useState(org.awayMessage ?? '');
  const count = useMemo(() => countSegments(message), [message]);
  const zoneList = useMemo(zones, []);
  const { busy, error, run } = useAction();
  const [saved, setSaved] = useState(false);

  const setDay = (day: number, change: Partial<DayForm>) => {
    setWeek((w) => ({ ...w, [day]: { ...w[day]!, ...change } }));
    setSaved(false);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const businessHours = enabled
      ? { timezone, weekly: DAYS.filter(({ day }) => week[day]!.open).map(({ day }) => ({ day, open: week[day]!.from, close: week[day]!.to })) }
      : null;
    return run(async () => {
      setOrganization((await api.updateSettings({ businessHours, awayMessage: message.trim() ? message : null })).organization);
      setSaved(true);
    });
  };

  return (
    <section className="settings-section" aria-labelledby="hours-title" data-testid="business-hours-settings">
      <h2 id="hours-title">Business hours and away message</h2>
      <p>
        Outside these hours, a customer who starts a conversation gets the away message at once, once per conversation. It is sent like
        any reply (never to a customer who opted out) and shows in the thread as automatic. Days without hours are closed.
      </p>
      <form className="stack" onSubmit={submit}>
        <label className="checkbox">
          <input type="checkbox" checked={enabled} onChange={(e) => (setEnabled(e.target.checked), setSaved(false))} />
          <span>Keep business hours</span>
        </label>
        <fieldset className="stack hours-week" disabled={!enabled}>
          <legend className="sr-only">Opening hours</legend>
          <label className="field narrow-form">
            <span>Time zone</span>
            <select value={timezone} onChange={(e) => (setTimezone(e.target.value), setSaved(false))}>
              {!zoneList.includes(timezone) && <option value={timezone}>{timezone}</option>}
              {zoneList.map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
          </label>
          <table className="hours-table">
            <tbody>
              {DAYS.map(({ day, name }) => {
                const d = week[day]!;
                return (
                  <tr key={day} data-day={day}>
                    <th scope="row">
                      <label className="checkbox">
                        <input type="checkbox" checked={d.open} onChange={(e) => setDay(day, { open: e.target.checked })} />
                        <span>{name}</span>
                      </label>
                    </th>
                    <td>
                      {d.open ? (
                        <>
                          <input type="time" aria-label={`${name} opens`} required value={d.from} onChange={(e) => setDay(day, { from: e.target.value })} />
                          {' – '}
                          <input type="time" aria-label={`${name} closes`} required value={d.to} onChange={(e) => setDay(day, { to: e.target.value })} />
                        </>
                      ) : (
                        <span className="muted">Closed</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </fieldset>
        <label className="field">
          <span>Away message</span>
          <textarea rows={4} value={message} aria-describedby="away-count" onChange={(e) => (setMessage(e.target.value), setSaved(false))} />
        </label>
        <SegmentCounter id="away-count" count={count} />
        <p className="muted small">Leave it empty to send nothing. Customers may pay per segment.</p>
        <SaveActions error={error} disabled={busy || count.overLimit} saved={saved} />
      </form>
    </section>
  );
}
