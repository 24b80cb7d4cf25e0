// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api/api';
import { ApiError } from '../api/http';
import { aPhoneSender, anIncomingNumber } from '../test/twilio';
import { AddSender } from './AddSender';
import { isWebhookConflict } from './addSender';

vi.mock('../api/api', () => ({ listIncomingNumbers: vi.fn(), listAvailableNumbers: vi.fn() }));
const listIncomingNumbers = vi.mocked(api.listIncomingNumbers);

const SERVICE = 'MG' + 'a'.repeat(32);

describe('adding a number from the account', () => {
  afterEach(cleanup);

  it('says a number sits in a Messaging Service and offers to add the service instead', async () => {
    listIncomingNumbers.mockResolvedValue({
      items: [
        anIncomingNumber({ phoneNumber: '+14155550131', messagingServiceSid: SERVICE }),
        anIncomingNumber({ phoneNumber: '+14155550132' }),
      ],
      nextCursor: null,
    });
    const onAdd = vi.fn(async () => true);
    render(<AddSender existing={[]} onAdd={onAdd} />);

    const note = await screen.findByTestId('in-service');
    expect(note.textContent).toContain(`in Messaging Service ${SERVICE}, which receives its texts`);
    expect(screen.getAllByTestId('in-service')).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: `Add Messaging Service ${SERVICE}` }));
    expect(onAdd).toHaveBeenCalledWith({ type: 'messaging_service', messagingServiceSid: SERVICE });
    expect(await screen.findByText('Service added')).toBeTruthy();
    // The plain number is still added as a number.
    expect(screen.getByRole('button', { name: /^Add \+1 415 555 0132$/ })).toBeTruthy();
  });

  it('shows the service as added when it already is a sender', async () => {
    listIncomingNumbers.mockResolvedValue({ items: [anIncomingNumber({ messagingServiceSid: SERVICE })], nextCursor: null });
    const service = aPhoneSender({ id: 's1', type: 'messaging_service', phoneNumber: null, messagingServiceSid: SERVICE, twilioSid: SERVICE, ratePerSecond: 100 });
    render(<AddSender existing={[service]} onAdd={vi.fn(async () => true)} />);
    expect(await screen.findByText('Service added')).toBeTruthy();
    expect(screen.queryByRole('button', { name: `Add Messaging Service ${SERVICE}` })).toBeNull();
  });
});

describe('which refusals an admin may override', () => {
  it('is only webhook_in_use, never a number inside a Messaging Service', () => {
    expect(isWebhookConflict(new ApiError(409, 'webhook_in_use', '+14155550132 sends its texts to the TwiML App AP…'))).toBe(true);
    expect(isWebhookConflict(new ApiError(409, 'number_in_messaging_service', `+14155550131 is in Messaging Service ${SERVICE}; see https://console.twilio.com`))).toBe(false);
    expect(isWebhookConflict(new ApiError(409, 'conflict', '+14155550100 is already a sender'))).toBe(false);
  });
});
