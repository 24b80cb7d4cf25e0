/*
 * Which inbound messages notify a user (docs/rules.md#notifications). Shared by the server (the
 * preferences it accepts) and the web app (the tab that shows the notification), so both read it alike.
 */

export const NOTIFY_PREFERENCES = ['all', 'mine_and_unassigned', 'mine', 'none'] as const;
export type NotifyPreference = (typeof NOTIFY_PREFERENCES)[number];

export const DEFAULT_NOTIFY: NotifyPreference = 'mine_and_unassigned';

export interface NotifyCandidate {
  direction: string;
  /** The conversation's assignee when the message arrived. */
  assigneeId: string | null;
  /** Users a note mentions; a mention notifies whatever the preference, except `none`. */
  mentions?: readonly string[];
}

export function shouldNotify(preference: NotifyPreference, userId: string, m: NotifyCandidate): boolean {
  if (preference === 'none') return false;
  if (m.direction === 'note') return m.mentions?.includes(userId) ?? false;
  if (m.direction !== 'inbound') return false;
  if (preference === 'all') return true;
  if (m.assigneeId === userId) return true;
  return preference === 'mine_and_unassigned' && m.assigneeId === null;
}
