/**
 * Hash routes (#/inbox/open/c/<id>, #/inbox/open/c/<id>/m/<message id>, #/search/<words>,
 * #/settings/senders): they work however the server serves
 * index.html, and a reload or a copied link lands on the same screen.
 */
import { useEffect, useState } from 'react';
import type { Id, InboxView } from '../api/types';

export const INBOX_VIEWS: InboxView[] = ['open', 'mine', 'unassigned', 'closed'];
export const SETTINGS_TABS = ['twilio', 'senders', 'users', 'threading', 'hours', 'labels', 'canned', 'audit'] as const;
export type SettingsTab = (typeof SETTINGS_TABS)[number];

/** `messageId`: the message to show (a search result), which may be far back in the thread. */
export type InboxRoute = { name: 'inbox'; view: InboxView; conversationId: Id | null; messageId?: Id };
export type Route = InboxRoute | { name: 'settings'; tab: SettingsTab } | { name: 'search'; q: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'settings') {
    const tab = SETTINGS_TABS.find((t) => t === parts[1]) ?? 'twilio';
    return { name: 'settings', tab };
  }
  if (parts[0] === 'search') return { name: 'search', q: parts[1] ?? '' };
  const view = INBOX_VIEWS.find((v) => v === parts[1]) ?? 'open';
  const conversationId = parts[0] === 'inbox' && parts[2] === 'c' && parts[3] ? parts[3] : null;
  const messageId = conversationId && parts[4] === 'm' && parts[5] ? parts[5] : undefined;
  return messageId ? { name: 'inbox', view, conversationId, messageId } : { name: 'inbox', view, conversationId };
}

export function routeHref(route: Route): string {
  if (route.name === 'settings') return `#/settings/${route.tab}`;
  if (route.name === 'search') return route.q ? `#/search/${encodeURIComponent(route.q)}` : '#/search';
  if (!route.conversationId) return `#/inbox/${route.view}`;
  const conversation = `#/inbox/${route.view}/c/${encodeURIComponent(route.conversationId)}`;
  return route.messageId ? `${conversation}/m/${encodeURIComponent(route.messageId)}` : conversation;
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
