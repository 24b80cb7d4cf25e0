import { useLiveStatus } from '../live/LiveProvider';

const LABELS = {
  stopped: 'Offline',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
} as const;

/** Says whether updates are arriving, so nobody trusts a stale screen. */
export function LiveIndicator() {
  const status = useLiveStatus();
  return (
    <span className="live-indicator" data-status={status} role="status" title={status === 'live' ? 'Updates arrive as they happen' : 'Updates paused; reconnecting'}>
      <span className="live-dot" aria-hidden="true" />
      <span className="live-label">{LABELS[status]}</span>
    </span>
  );
}
