import { routeHref, type SettingsTab } from '../lib/router';
import { AuditLog } from './AuditLog';
import { useSession } from '../app/session';
import { BusinessHoursSettings } from './BusinessHoursSettings';
import { CannedRepliesSettings } from './CannedRepliesSettings';
import { LabelsSettings } from './LabelsSettings';
import { SendersSettings } from './SendersSettings';
import { ThreadingSettings } from './ThreadingSettings';
import { TwilioSettings } from './TwilioSettings';
import { UsersSettings } from './UsersSettings';
import { TABS } from './tabs';

/** Admin settings, and for agents the sections they share (canned replies). */
export function SettingsPage({ tab }: { tab: SettingsTab }) {
  const { isAdmin } = useSession();
  const tabs = TABS.filter((t) => isAdmin || t.agents);
  return (
    <div className="settings">
      <nav className="settings-nav" aria-label="Settings sections">
        <h1 className="settings-title">Settings</h1>
        <ul>
          {tabs.map((t) => (
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
        {tab === 'canned' && <CannedRepliesSettings />}
        {tab === 'audit' && <AuditLog />}
      </div>
    </div>
  );
}
