// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { Suspense } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { lazyPage } from './lazyPage';

const show = (Page: ReturnType<typeof lazyPage>) =>
  render(
    <Suspense fallback={<p>Loading…</p>}>
      <Page />
    </Suspense>,
  );

describe('a page loaded on first use', () => {
  beforeEach(() => sessionStorage.clear());
  afterEach(cleanup);

  it('shows the page once its file has loaded', async () => {
    show(lazyPage(async () => () => <h1>Settings</h1>, vi.fn()));
    expect(await screen.findByRole('heading', { name: 'Settings' })).toBeTruthy();
  });

  it('fetches the app anew once when its file is gone (a tab from before an upgrade), then says it did not load', async () => {
    const reload = vi.fn();
    const missing = () => Promise.reject(new TypeError('Failed to fetch dynamically imported module'));
    show(lazyPage(missing, reload));
    expect(await screen.findByRole('heading', { name: 'This page did not load' })).toBeTruthy();
    expect(reload).toHaveBeenCalledTimes(1);
    cleanup();
    // After that reload the file is still missing: no reload loop, the page says so.
    show(lazyPage(missing, reload));
    expect(await screen.findByRole('alert')).toBeTruthy();
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('a page that loads clears the reload it took, so a later upgrade may reload again', async () => {
    const reload = vi.fn();
    show(lazyPage(() => Promise.reject(new Error('gone')), reload));
    await screen.findByRole('alert');
    cleanup();
    show(lazyPage(async () => () => <h1>Search</h1>, reload));
    await screen.findByRole('heading', { name: 'Search' });
    cleanup();
    show(lazyPage(() => Promise.reject(new Error('gone')), reload));
    await screen.findByRole('alert');
    expect(reload).toHaveBeenCalledTimes(2);
  });
});
