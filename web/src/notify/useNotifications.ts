import { useCallback, useEffect, useRef, useSyncExternalStore } from 'react';
import { shouldNotify } from '../../../src/domain/notify';
import * as api from '../api/api';
import type { Id, Message, Preferences } from '../api/types';
import { useSession } from '../app/session';
import { useHub, useLiveEvents } from '../live/LiveProvider';
import { formatPhone } from '../lib/format';
import { navigate } from '../lib/router';
import soundUrl from './notify.wav';

/*
 * Desktop notifications and a sound for each inbound message that matches the user's
 * preference (docs/rules.md#notifications), from one tab per browser: the tab that holds the
 * shared event stream. It stays quiet while it is the tab in front of the user.
 */

const DEFAULTS: Preferences = { notify: 'mine_and_unassigned', sound: true };

/** The preferences, shared by the notifier and the dialog that changes them. */
const store = {
  value: DEFAULTS,
  listeners: new Set<() => void>(),
  set(value: Preferences) {
    store.value = value;
    store.listeners.forEach((l) => l());
  },
  subscribe(listener: () => void) {
    store.listeners.add(listener);
    return () => void store.listeners.delete(listener);
  },
};

export function usePreferences(): [Preferences, (p: Preferences) => void] {
  return [useSyncExternalStore(store.subscribe, () => store.value), store.set];
}

/** The browser's permission, changed only on a user's click (never asked on load). */
export const notificationPermission = (): NotificationPermission | 'unsupported' => ('Notification' in window ? Notification.permission : 'unsupported');

/*
 * Which of this browser's desk tabs the user touched last, kept in localStorage: focus alone
 * cannot tell, since a window holds several tabs and a browser may report every one as focused.
 */
const ACTIVE_TAB_KEY = 'parley-active-tab';
const TAB_ID = Math.random().toString(36).slice(2);

function markActive() {
  try {
    localStorage.setItem(ACTIVE_TAB_KEY, TAB_ID);
  } catch {
    // Storage refused (private mode): every tab then counts as elsewhere, and notifies.
  }
}

function isActiveTab(): boolean {
  try {
    return localStorage.getItem(ACTIVE_TAB_KEY) === TAB_ID;
  } catch {
    return false;
  }
}

/** The user is looking at this very tab: it is visible, focused and the desk tab they used last. */
const inView = () => document.visibilityState === 'visible' && document.hasFocus() && isActiveTab();

function useActiveTab() {
  useEffect(() => {
    if (document.visibilityState === 'visible' && document.hasFocus()) markActive();
    const onVisible = () => document.visibilityState === 'visible' && markActive();
    window.addEventListener('focus', markActive);
    window.addEventListener('pointerdown', markActive, true);
    window.addEventListener('keydown', markActive, true);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.removeEventListener('focus', markActive);
      window.removeEventListener('pointerdown', markActive, true);
      window.removeEventListener('keydown', markActive, true);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, []);
}

/** A message, or a note naming the users it mentions (the hook for notes, docs/rules.md#notifications). */
type Notifiable = Omit<Message, 'direction'> & { direction: string; mentions?: Id[] };

export function useNotifications(): void {
  const { me } = useSession();
  const hub = useHub();
  const sound = useRef<HTMLAudioElement | null>(null);
  useActiveTab();

  useEffect(() => {
    api.getPreferences().then(store.set, () => {});
  }, []);

  const notify = useCallback(
    async (message: Notifiable) => {
      if (!hub?.isLeader || inView()) return;
      const preferences = store.value;
      if (preferences.notify === 'none' || (message.direction !== 'inbound' && !message.mentions?.length)) return;
      const conversation = await api.getConversation(message.conversationId).catch(() => null);
      if (!conversation) return;
      if (!shouldNotify(preferences.notify, me.user.id, { direction: message.direction, assigneeId: conversation.assigneeId, mentions: message.mentions })) return;
      if (preferences.sound) {
        sound.current ??= new Audio(soundUrl);
        sound.current.play().catch(() => {});
      }
      if (notificationPermission() !== 'granted') return;
      const who = conversation.customer.name ?? formatPhone(conversation.customer.phone);
      const shown = new Notification(message.direction === 'note' ? `You were mentioned · ${who}` : who, {
        body: message.body || (message.media.length > 0 ? 'Sent a picture' : ''),
        tag: message.id,
      });
      shown.onclick = () => {
        window.focus();
        navigate({ name: 'inbox', view: 'open', conversationId: conversation.id });
        shown.close();
      };
    },
    [hub, me.user.id],
  );

  useLiveEvents((event) => {
    if (event.type === 'message.created' && !event.partial) void notify(event.data as Notifiable);
  });
}
