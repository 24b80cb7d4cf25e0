// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api/api';
import { anAvailableNumber, aPhoneSender, aTwilioIntegration } from '../test/twilio';
import { SendersSettings } from './SendersSettings';

vi.mock('../api/api', () => ({
  getTwilio: vi.fn(),
  listIncomingNumbers: vi.fn(),
  listAvailableNumbers: vi.fn(),
  addSender: vi.fn(),
}));
vi.mock('../app/session', () => ({ useDirectory: () => ({ reload: () => {}, userById: () => undefined }) }));

const FOR_SALE = anAvailableNumber({ phoneNumber: '+14155550150' });

async function buy() {
  render(<SendersSettings />);
  fireEvent.click(await screen.findByRole('radio', { name: 'Buy a number' }));
  fireEvent.click(screen.getByRole('button', { name: 'Search' }));
  fireEvent.click(await screen.findByRole('button', { name: /^Buy \+1 415 555 0150$/ }));
  fireEvent.click(within(screen.getByTestId('confirm-dialog')).getByRole('button', { name: 'Buy number' }));
}

describe('buying a US or Canadian number', () => {
  beforeEach(() => {
    vi.mocked(api.getTwilio).mockResolvedValue(aTwilioIntegration());
    vi.mocked(api.listIncomingNumbers).mockResolvedValue({ items: [], nextCursor: null });
    vi.mocked(api.listAvailableNumbers).mockResolvedValue({ items: [FOR_SALE], nextCursor: null });
  });
  afterEach(() => {
    cleanup();
    vi.clearAllMocks();
  });

  it('explains the A2P 10DLC registration the number needs before it can text US phones', async () => {
    vi.mocked(api.addSender).mockResolvedValue({ ...aPhoneSender(), warnings: ['a2p_10dlc_registration'] });
    await buy();
    const warning = await screen.findByTestId('a2p-warning');
    expect(api.addSender).toHaveBeenCalledWith({ type: 'phone_number', phoneNumber: '+14155550150', purchase: true });
    expect(warning.textContent).toContain('+1 415 555 0150 needs A2P 10DLC registration before it can text US phones');
    expect(warning.textContent).toMatch(/brand.*campaign/);
  });

  it('says nothing of A2P when the server gives no warning', async () => {
    vi.mocked(api.addSender).mockResolvedValue(aPhoneSender());
    await buy();
    expect(await screen.findByText('Bought')).toBeTruthy();
    expect(screen.queryByTestId('a2p-warning')).toBeNull();
  });
});
