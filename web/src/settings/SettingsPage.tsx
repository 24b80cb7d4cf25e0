import { routeHref, type SettingsTab } from '../lib/router';
import { AuditLog } from './AuditLog';
import { BusinessHoursSettings } from './BusinessHoursSettings';
import { LabelsSettings } from './LabelsSettings';
import { SendersSettings } from './SendersSettings';
import { ThreadingSettings } from './ThreadingSettings';
import { TwilioSettings } from './TwilioSettings';
import { UsersSettings } from './UsersSettings';

const TABS: { tab: SettingsTab; label: string }[] = [
  { tab: 'twilio', label: 'Twilio account' },
  { tab: 'senders', label: 'Senders' },
  { tab: 'users', label: 'Users' },
  { tab: 'threading', label: 'Threading' },
  { tab: 'hours', label: 'Business hours' },
  { tab: 'labels', label: 'Labels' },
  { tab: 'audit', label: 'Audit log' },
];

/** Admin settings; the header shows the link to admins only, and the API refuses agents anyway. */
export function SettingsPage({ tab }: { tab: SettingsTab }) {
  return (
    <div className="settings">
      <nav className="settings-nav" aria-label="Settings sections">
        <h1 className="settings-title">Settings</h1>
        <ul>
          {TABS.map((t) => (
            <li key={t.tab}>
              <a href={routeHref({ name: 'settings', tab: t.tab })} aria-current={t.tab === tab ? 'page' : undefined}>
                {t.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="settings-content">
        {tab === 'twilio' && <TwilioSettings />}
        {tab === 'senders' && <SendersSettings />}
        {tab === 'users' && <UsersSettings />}
        {tab === 'threading' && <ThreadingSettings />}
        {tab === 'hours' && <BusinessHoursSettings />}
        {tab === 'labels' && <LabelsSettings />}
        {tab === 'audit' && <AuditLog />}
      </div>
    </div>
  );
}
