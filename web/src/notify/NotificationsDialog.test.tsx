// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api/api';
import { NotificationsDialog } from './NotificationsDialog';

vi.mock('../api/api', () => ({ updatePreferences: vi.fn() }));

describe('the notifications dialog', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('asks for the browser permission only when the button is clicked, and saves the choices', async () => {
    const requestPermission = vi.fn(async () => 'granted' as const);
    vi.stubGlobal('Notification', { permission: 'default', requestPermission });
    vi.mocked(api.updatePreferences).mockResolvedValue({ notify: 'all', sound: true });
    render(<NotificationsDialog onClose={() => {}} />);
    expect(requestPermission).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: 'Show desktop notifications' }));
    expect(requestPermission).toHaveBeenCalledTimes(1);
    await screen.findByText('Desktop notifications are on in this browser.');

    fireEvent.click(screen.getByRole('radio', { name: 'Every new text' }));
    expect(api.updatePreferences).toHaveBeenCalledWith({ notify: 'all' });
    await vi.waitFor(() => expect((screen.getByRole('radio', { name: 'Every new text' }) as HTMLInputElement).checked).toBe(true));
  });
});
