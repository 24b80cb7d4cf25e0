import { useEffect, useState } from 'react';
import * as api from '../api/api';
import type { TwilioIntegration } from '../api/types';
import { fullDateTime, plural } from '../lib/format';
import { routeHref } from '../lib/router';

/** What admins must act on at once about the Twilio connection, looked at every minute and after each change. */
export function TwilioBanners() {
  const twilio = useTwilioStatus();
  if (!twilio?.connected) return null;
  return (
    <>
      {twilio.paused && <PausedBanner />}
      {twilio.signatureFailures.count > 0 && <SignatureFailureBanner failures={twilio.signatureFailures} />}
    </>
  );
}

function useTwilioStatus(): TwilioIntegration | null {
  const [twilio, setTwilio] = useState<TwilioIntegration | null>(null);
  useEffect(() => {
    let cancelled = false;
    const check = () =>
      api.getTwilio().then(
        (loaded) => !cancelled && setTwilio(loaded),
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
  return twilio;
}

/** Twilio rejected the token and sending waits for a new one. */
function PausedBanner() {
  return (
    <div className="banner banner-warning" role="alert" data-testid="paused-banner">
      Sending is paused: Twilio no longer accepts the saved Auth Token. Queued messages wait until you{' '}
      <a href={routeHref({ name: 'settings', tab: 'twilio' })}>update the token</a>.
    </div>
  );
}

/** Webhooks refused for their signature: customers' texts are not arriving, and only an admin can fix why. */
function SignatureFailureBanner({ failures }: { failures: TwilioIntegration['signatureFailures'] }) {
  return (
    <div className="banner banner-warning" role="alert" data-testid="signature-banner">
      Parley refused {plural(failures.count, 'webhook')} from Twilio in the last 24 hours
      {failures.lastAt ? ` (the latest ${fullDateTime(failures.lastAt)})` : ''} because the signature did not match, so customers&apos; texts
      and delivery reports are not arriving. The Auth Token was probably rotated in Twilio&apos;s console:{' '}
      <a href={routeHref({ name: 'settings', tab: 'twilio' })}>enter the new one</a>. Otherwise PUBLIC_URL is not the address Twilio calls.
    </div>
  );
}

/** Lets settings screens tell the banners to look again after a change. */
export function notifyTwilioChanged() {
  window.dispatchEvent(new Event('parley:twilio-changed'));
}
