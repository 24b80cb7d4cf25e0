// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api/api';
import { aTwilioIntegration } from '../test/twilio';
import { notifyTwilioChanged, TwilioBanners } from './TwilioBanners';

vi.mock('../api/api', () => ({ getTwilio: vi.fn() }));
const getTwilio = vi.mocked(api.getTwilio);

const integration = aTwilioIntegration;

describe('what admins see about the Twilio connection', () => {
  beforeEach(() => getTwilio.mockReset());
  afterEach(cleanup);

  it('refused webhook signatures: says the token was probably rotated or PUBLIC_URL is wrong, and links to the fix', async () => {
    getTwilio.mockResolvedValue(integration({ signatureFailures: { count: 3, lastAt: '2026-12-03T11:00:00.000Z' } }));
    render(<TwilioBanners />);
    const banner = await screen.findByTestId('signature-banner');
    expect(banner.textContent).toMatch(/refused 3 webhooks from Twilio in the last 24 hours/);
    expect(banner.textContent).toMatch(/Auth Token was probably rotated in Twilio's console/);
    expect(banner.textContent).toMatch(/PUBLIC_URL is not the address Twilio calls/);
    expect(screen.getByRole('link', { name: 'enter the new one' }).getAttribute('href')).toMatch(/settings/);
    expect(screen.queryByTestId('paused-banner')).toBeNull();
  });

  it('shows nothing when no webhook was refused, and goes away once a valid webhook cleared the count', async () => {
    getTwilio.mockResolvedValueOnce(integration({ signatureFailures: { count: 1, lastAt: '2026-12-03T11:00:00.000Z' } }));
    render(<TwilioBanners />);
    await screen.findByTestId('signature-banner');
    getTwilio.mockResolvedValueOnce(integration());
    await act(async () => notifyTwilioChanged());
    expect(screen.queryByTestId('signature-banner')).toBeNull();
  });

  it('a paused account still shows its own banner', async () => {
    getTwilio.mockResolvedValue(integration({ paused: true }));
    render(<TwilioBanners />);
    expect(await screen.findByTestId('paused-banner')).toBeTruthy();
    expect(screen.queryByTestId('signature-banner')).toBeNull();
  });
});
