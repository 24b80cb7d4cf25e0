import type { Customer } from '../api/types';
import { useDirectory } from '../app/session';
import { fullDateTime, senderLabel } from '../lib/format';

/** Which numbers the customer said STOP to (docs/rules.md#inbound-messages), as Twilio enforces it per number. */
export function OptOutState({ customer }: { customer: Customer }) {
  const { senderById } = useDirectory();
  return (
    <section className="panel-section" aria-labelledby="optout-title" data-testid="opt-out-state" data-opted-out={customer.smsOptOut ? 'true' : 'false'}>
      <h3 id="optout-title">Texting</h3>
      {customer.optOuts.length === 0 ? (
        <p className="optout-ok">Can receive texts.</p>
      ) : (
        <ul className="optout-list">
          {customer.optOuts.map((optOut) => {
            const sender = senderById(optOut.senderId);
            return (
              <li key={optOut.senderId}>
                <strong>Opted out</strong> of {sender ? senderLabel(sender) : 'a removed number'} since {fullDateTime(optOut.at)}
              </li>
            );
          })}
        </ul>
      )}
      {customer.optOuts.length > 0 && <p className="muted">They can text START to that number to receive texts again.</p>}
    </section>
  );
}
