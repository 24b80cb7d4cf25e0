/**
 * Hash routes (#/inbox/open/c/<id>, #/settings/senders): they work however the server serves
 * index.html, and a reload or a copied link lands on the same screen.
 */
import { useEffect, useState } from 'react';
import type { Id, InboxView } from '../api/types';

export const INBOX_VIEWS: InboxView[] = ['open', 'mine', 'unassigned', 'closed'];
export const SETTINGS_TABS = ['twilio', 'senders', 'users', 'threading', 'hours', 'labels', 'canned', 'audit'] as const;
export type SettingsTab = (typeof SETTINGS_TABS)[number];

export type Route = { name: 'inbox'; view: InboxView; conversationId: Id | null } | { name: 'settings'; tab: SettingsTab };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'settings') {
    const tab = SETTINGS_TABS.find((t) => t === parts[1]) ?? 'twilio';
    return { name: 'settings', tab };
  }
  const view = INBOX_VIEWS.find((v) => v === parts[1]) ?? 'open';
  const conversationId = parts[0] === 'inbox' && parts[2] === 'c' && parts[3] ? parts[3] : null;
  return { name: 'inbox', view, conversationId };
}

export function routeHref(route: Route): string {
  if (route.name === 'settings') return `#/settings/${route.tab}`;
  return route.conversationId ? `#/inbox/${route.view}/c/${encodeURIComponent(route.conversationId)}` : `#/inbox/${route.view}`;
}

export function navigate(route: Route) {
  const href = routeHref(route);
  if (window.location.hash !== href) window.location.hash = href;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
