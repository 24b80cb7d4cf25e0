// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CatchupStatus } from './SendersSettings';

const NOW = new Date('2026-03-03T12:00:00.000Z');

describe("a sender's catch-up, as admins see it", () => {
  afterEach(cleanup);

  it('says when the sender was last checked against Twilio and what that recovered', () => {
    render(<CatchupStatus now={NOW} catchup={{ lastAt: '2026-03-03T11:57:00.000Z', messages: 3, statuses: 1, error: null, errorAt: null }} />);
    expect(screen.getByTestId('catchup').textContent).toBe('Checked against Twilio 3m ago: 3 texts and 1 delivery status recovered');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says a sender was never checked yet', () => {
    render(<CatchupStatus now={NOW} catchup={{ lastAt: null, messages: 0, statuses: 0, error: null, errorAt: null }} />);
    expect(screen.getByTestId('catchup').textContent).toBe('Not yet checked against Twilio');
  });

  it('shows why the last check failed, next to the last one that worked', () => {
    const error = "Twilio refused the account's credentials (20003): update the Auth Token in Parley's settings";
    render(<CatchupStatus now={NOW} catchup={{ lastAt: '2026-03-03T10:00:00.000Z', messages: 0, statuses: 0, error, errorAt: '2026-03-03T11:59:30.000Z' }} />);
    expect(screen.getByTestId('catchup').textContent).toContain('Checked against Twilio 2h ago: 0 texts and 0 delivery statuses recovered');
    expect(screen.getByRole('alert').textContent).toBe(` · Last check failed just now: ${error}. It is tried again at the next check.`);
  });
});
