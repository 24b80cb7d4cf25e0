import { useEffect, useRef, useState } from 'react';
import { routeHref, type Route } from '../lib/router';
import { LiveIndicator } from './LiveIndicator';
import { ChangePasswordDialog } from './ChangePasswordDialog';
import { NotificationsDialog } from '../notify/NotificationsDialog';
import { useNotifications } from '../notify/useNotifications';
import { useSession } from './session';

interface AppHeaderProps {
  route: Route;
  onNewConversation(): void;
  onShowShortcuts(): void;
}

export function AppHeader({ route, onNewConversation, onShowShortcuts }: AppHeaderProps) {
  const { me, isAdmin, logout } = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const [changingPassword, setChangingPassword] = useState(false);
  const [editingNotifications, setEditingNotifications] = useState(false);
  useNotifications();
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!menuOpen) return;
    const onPointer = (event: MouseEvent) => {
      if (!menu.current?.contains(event.target as Node)) setMenuOpen(false);
    };
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && setMenuOpen(false);
    document.addEventListener('mousedown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [menuOpen]);

  return (
    <header className="app-header">
      <a className="brand" href={routeHref({ name: 'inbox', view: 'open', conversationId: null })} aria-label="Parley">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name hide-narrow">Parley</span>
      </a>
      <span className="org-name" title={me.organization.name}>
        {me.organization.name}
      </span>
      <nav className="main-nav" aria-label="Main">
        <a href={routeHref({ name: 'inbox', view: 'open', conversationId: null })} aria-current={route.name === 'inbox' ? 'page' : undefined}>
          Inbox
        </a>
        <a href={routeHref({ name: 'search', q: '' })} aria-current={route.name === 'search' ? 'page' : undefined}>
          Search
        </a>
        {isAdmin ? (
          <a href={routeHref({ name: 'settings', tab: 'twilio' })} aria-current={route.name === 'settings' ? 'page' : undefined}>
            Settings
          </a>
        ) : (
          <a href={routeHref({ name: 'settings', tab: 'canned' })} aria-current={route.name === 'settings' ? 'page' : undefined} aria-label="Canned replies">
            {/* A phone's header has room only for the short name beside Inbox and Search. */}
            <span className="hide-narrow">Canned replies</span>
            <span className="show-narrow">Replies</span>
          </a>
        )}
      </nav>
      <div className="header-actions">
        <LiveIndicator />
        <button type="button" className="button button-primary" onClick={onNewConversation} aria-keyshortcuts="c" aria-label="Text a customer">
          <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
            <path d="M10 4v12M4 10h12" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" />
          </svg>
          <span className="hide-narrow" aria-hidden="true">
            Text a customer
          </span>
        </button>
        <div className="menu" ref={menu}>
          <button
            type="button"
            className="avatar-button"
            aria-haspopup="true"
            aria-expanded={menuOpen}
            aria-label={`Account menu for ${me.user.name}`}
            onClick={() => setMenuOpen((open) => !open)}
          >
            {me.user.name.slice(0, 1).toUpperCase() || '?'}
          </button>
          {menuOpen && (
            <div className="menu-panel">
              <p className="menu-who">
                <strong>{me.user.name}</strong>
                <span>{me.user.email}</span>
                <span className="badge">{me.user.role === 'admin' ? 'Admin' : 'Agent'}</span>
              </p>
              <button type="button" onClick={() => (setMenuOpen(false), setEditingNotifications(true))}>
                Notifications
              </button>
              <button type="button" onClick={() => (setMenuOpen(false), setChangingPassword(true))}>
                Change password
              </button>
              <button type="button" onClick={() => (setMenuOpen(false), onShowShortcuts())}>
                Keyboard shortcuts
              </button>
              <button type="button" onClick={() => void logout()}>
                Log out
              </button>
            </div>
          )}
        </div>
      </div>
      {changingPassword && <ChangePasswordDialog onClose={() => setChangingPassword(false)} />}
      {editingNotifications && <NotificationsDialog onClose={() => setEditingNotifications(false)} />}
    </header>
  );
}
