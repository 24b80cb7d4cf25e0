// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api/api';
import { aTwilioIntegration } from '../test/twilio';
import { TwilioSettings } from './TwilioSettings';

vi.mock('../api/api', () => ({ getTwilio: vi.fn(), connectTwilio: vi.fn(), disconnectTwilio: vi.fn() }));
vi.mock('../app/session', () => ({ useDirectory: () => ({ reload: () => {}, userById: () => undefined }) }));

describe('the connected Twilio account', () => {
  afterEach(cleanup);

  it('shows the address Twilio calls, and warns before disconnecting that Parley puts back the previous webhooks', async () => {
    vi.mocked(api.getTwilio).mockResolvedValue(aTwilioIntegration());
    render(<TwilioSettings />);
    expect((await screen.findByTestId('webhook-address')).textContent).toBe('https://desk.example.com/webhooks/twilio/messages');
    fireEvent.click(screen.getByRole('button', { name: 'Disconnect Twilio' }));
    const dialog = within(screen.getByTestId('confirm-dialog'));
    expect(dialog.getByText(/Parley puts back the webhooks it replaced/).textContent).toMatch(/TwiML App/);
  });
});
