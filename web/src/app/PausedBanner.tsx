import { useEffect, useState } from 'react';
import * as api from '../api/api';
import { routeHref } from '../lib/router';

/** Admins learn at once when Twilio rejected the token and sending waits for a new one. */
export function PausedBanner() {
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    let cancelled = false;
    const check = () =>
      api.getTwilio().then(
        (twilio) => !cancelled && setPaused(twilio.connected && twilio.paused),
        () => {},
      );
    void check();
    const timer = setInterval(check, 60_000);
    window.addEventListener('parley:twilio-changed', check);
    return () => {
      cancelled = true;
      clearInterval(timer);
      window.removeEventListener('parley:twilio-changed', check);
    };
  }, []);
  if (!paused) return null;
  return (
    <div className="banner banner-warning" role="alert" data-testid="paused-banner">
      Sending is paused: Twilio no longer accepts the saved Auth Token. Queued messages wait until you{' '}
      <a href={routeHref({ name: 'settings', tab: 'twilio' })}>update the token</a>.
    </div>
  );
}

/** Lets settings screens tell the banner to look again after a change. */
export function notifyTwilioChanged() {
  window.dispatchEvent(new Event('parley:twilio-changed'));
}
