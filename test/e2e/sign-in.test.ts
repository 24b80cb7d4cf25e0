/**
 * Signing in, in Debian's Chromium against the real server. Browser tests exercise the web app,
 * so they run on SQLite only: the database engines are covered by the integration tests.
 */
import { describe, expect, it } from 'vitest';
import { expectAccessible } from './a11y.js';
import { signIn, useDesk } from './desk.js';

describe('signing in (browser)', () => {
  const desk = useDesk({ name: 'sign-in' });

  it('an admin signs in with email and password and lands on the open inbox', async () => {
    const page = await desk.openPage();
    await page.goto(desk.world.publicUrl);
    await page.getByLabel('Email').waitFor();
    await expectAccessible(page, 'the sign-in page');
    await signIn(page, desk.world, 'admin');
    await expectAccessible(page, 'the empty inbox');

    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ state: 'detached' });
    expect(await page.getByRole('navigation', { name: 'Inbox views' }).getByRole('link', { name: 'Open' }).getAttribute('aria-current')).toBe('page');
    expect(await page.getByText('Acme Support').first().isVisible()).toBe(true);
    // The session is a cookie: a reload stays signed in.
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Sign in' }).count()).toBe(0);
  });

  it('a wrong password is refused with a message, and nothing behind the login opens', async () => {
    const page = await desk.openPage();
    await page.goto(desk.world.publicUrl);
    await page.getByLabel('Email').fill(desk.world.admin.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('alert').filter({ hasText: /email and password do not match|wrong email or password/i }).waitFor();
    await expectAccessible(page, 'the sign-in page with its error');
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    const me = await page.evaluate(async () => (await fetch('/api/me')).status);
    expect(me).toBe(401);
  });
});
