// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { ComponentProps } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api/api';
import { StaticSession } from '../app/session';
import type { Organization } from '../api/types';
import { aSender, aUser } from '../test/factories';
import { BusinessHoursSettings } from './BusinessHoursSettings';

vi.mock('../api/api', () => ({ updateSettings: vi.fn() }));
const updateSettings = vi.mocked(api.updateSettings);

type SessionProps = ComponentProps<typeof StaticSession>;
const organization: Organization = { id: 'o1', name: 'Acme', threadingWindowHours: 24, businessHours: null, awayMessage: null };

function renderSettings(org: Organization = organization) {
  const session: SessionProps['session'] = { me: { user: aUser({ role: 'admin' }), organization: org }, isAdmin: true, setOrganization: () => {}, logout: async () => {} };
  const directory: SessionProps['directory'] = { users: [], senders: [aSender()], userById: () => undefined, senderById: () => undefined, reload: () => {} };
  render(
    <StaticSession session={session} directory={directory}>
      <BusinessHoursSettings />
    </StaticSession>,
  );
}

describe('business hours settings', () => {
  afterEach(cleanup);

  it('meters the away message as it is typed, and refuses to save one over the limit', () => {
    renderSettings();
    const message = screen.getByLabelText('Away message');
    fireEvent.change(message, { target: { value: 'a'.repeat(161) } });
    const meter = screen.getByTestId('segment-counter');
    expect([meter.dataset.characters, meter.dataset.segments, meter.dataset.encoding]).toEqual(['161', '2', 'GSM-7']);
    fireEvent.change(message, { target: { value: 'Fermé ce soir, à demain ç' } });
    expect(meter.dataset.encoding).toBe('UCS-2');
    fireEvent.change(message, { target: { value: 'x'.repeat(1601) } });
    expect((screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('saves the zone, the open days with their hours, and the message', async () => {
    updateSettings.mockResolvedValue({ organization });
    renderSettings({
      ...organization,
      businessHours: { timezone: 'Europe/Berlin', weekly: [{ day: 1, open: '08:00', close: '16:00' }] },
      awayMessage: 'Closed',
    });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Saturday' }));
    fireEvent.change(screen.getByLabelText('Saturday closes'), { target: { value: '12:00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByRole('status');
    expect(updateSettings).toHaveBeenCalledWith({
      businessHours: {
        timezone: 'Europe/Berlin',
        weekly: [
          { day: 1, open: '08:00', close: '16:00' },
          { day: 6, open: '09:00', close: '12:00' },
        ],
      },
      awayMessage: 'Closed',
    });
  });
});
