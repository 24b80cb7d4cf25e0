import type { SettingsTab } from '../lib/router';

/** The settings sections, in the order the page lists them; in a module of their own so the header and router know them without loading the page. */
export const TABS: { tab: SettingsTab; label: string; agents?: true }[] = [
  { tab: 'twilio', label: 'Twilio account' },
  { tab: 'senders', label: 'Senders' },
  { tab: 'users', label: 'Users' },
  { tab: 'threading', label: 'Threading' },
  { tab: 'hours', label: 'Business hours' },
  { tab: 'labels', label: 'Labels' },
  { tab: 'canned', label: 'Canned replies', agents: true },
  { tab: 'audit', label: 'Audit log' },
];

/** The settings agents may open too (the API refuses them the rest anyway). */
export const isAgentTab = (tab: SettingsTab) => TABS.some((t) => t.tab === tab && t.agents);
