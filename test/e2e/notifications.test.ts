/**
 * docs/rules.md#notifications in Debian's Chromium: two tabs of one browser share the event
 * stream; a text arriving while the other tab is in front makes exactly one desktop notification
 * (from the tab holding the stream), the tab title and favicon carry the unread count, and a click
 * on the notification opens the conversation. The test grants the permission and records every
 * Notification the page creates.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/api.js';
import { expectAccessible } from './a11y.js';
import { conversationRow, phoneTexts, signIn, useDesk, waitUntilLive } from './desk.js';

const PHONE = '+14155550144';

/* Runs in every page before the app: each Notification is recorded, then shown by the real one. */
const RECORD_NOTIFICATIONS = `
  window.__notifications = [];
  const Real = window.Notification;
  function Recorded(title, options) {
    const shown = new Real(title, options);
    window.__notifications.push({ title, body: options && options.body, shown });
    return shown;
  }
  Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
  Recorded.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Recorded;
`;

const notificationsIn = (page: Page) => page.evaluate('window.__notifications.map(({ title, body }) => ({ title, body }))') as Promise<{ title: string; body: string }[]>;

describe('notifications (browser)', () => {
  const desk = useDesk({ name: 'notifications' });

  it('a text arriving while another tab is in front notifies once, counts in the title, and a click opens it', async () => {
    const first = await desk.openPage({ label: 'first' });
    const context = first.context();
    await context.grantPermissions(['notifications'], { origin: desk.world.publicUrl });
    await context.addInitScript(RECORD_NOTIFICATIONS);
    await signIn(first, desk.world, 'agent');
    expect(await first.evaluate('Notification.permission')).toBe('granted');

    // A second tab of the same browser, in front: it receives events from the first tab's stream.
    const second = await context.newPage();
    await second.goto(desk.world.publicUrl);
    await waitUntilLive(second);
    await second.bringToFront();
    // Touch the tab without leaving the inbox (the middle of the menu may be another link).
    await second.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();

    await phoneTexts(desk.world, PHONE, 'Is my order on its way?');
    await conversationRow(second, 'Is my order on its way?').waitFor();
    await eventually(async () => (await notificationsIn(first)).length + (await notificationsIn(second)).length > 0, { what: 'a notification' });
    await eventually(async () => (await first.title()) === '(1) Parley', { what: "the first tab's title to count the unread conversation" });
    expect(await first.locator('link[rel="icon"]').getAttribute('data-unread')).toBe('1');
    await expectAccessible(second, 'the inbox with a new unread conversation');
    expect([...(await notificationsIn(first)), ...(await notificationsIn(second))]).toEqual([{ title: '+1 415 555 0144', body: 'Is my order on its way?' }]);

    await first.evaluate("window.__notifications[0].shown.onclick(new Event('click'))");
    await first.getByLabel('Message', { exact: true }).waitFor();
    expect(first.url()).toMatch(/#\/inbox\/open\/c\/[0-9a-f-]+$/);
    await expectAccessible(first, 'the conversation a notification opened');
  });
});
