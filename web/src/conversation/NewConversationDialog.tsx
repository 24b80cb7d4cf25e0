import { useEffect, useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import * as api from '../api/api';
import { isAbort } from '../api/http';
import type { Conversation, Customer } from '../api/types';
import { useDirectory } from '../app/session';
import { EncodingHelp } from '../composer/EncodingHelp';
import { MessageInput } from '../composer/MessageInput';
import { SegmentCounter } from '../composer/SegmentCounter';
import { useMessageBody } from '../composer/useMessageBody';
import { customerLabel, formatPhone, fullDateTime, senderLabel } from '../lib/format';
import { useDebounced } from '../lib/hooks';
import { routeHref } from '../lib/router';
import { useAction } from '../lib/useAction';
import { ErrorNote } from '../ui/ConfirmDialog';
import { Modal } from '../ui/Modal';

interface NewConversationDialogProps {
  onClose(): void;
  onStarted(conversation: Conversation): void;
}

/** "Text a customer": from a chosen number to a phone number or a known customer. */
export function NewConversationDialog({ onClose, onStarted }: NewConversationDialogProps) {
  const { senders, reload } = useDirectory();
  const usable = senders.filter((s) => s.active !== false);
  const [senderId, setSenderId] = useState<string>('');
  const [to, setTo] = useState('');
  const [customer, setCustomer] = useState<Customer | null>(null);
  const message = useMessageBody();
  const { busy, error, run } = useAction();

  useEffect(reload, [reload]);
  useEffect(() => {
    if (!senderId && usable[0]) setSenderId(usable[0].id);
  }, [senderId, usable]);

  const sender = usable.find((s) => s.id === senderId);
  const optOut = customer && sender ? customer.optOuts.find((o) => o.senderId === sender.id) : undefined;
  const recipientReady = customer !== null || to.replace(/\D/g, '').length >= 3;
  const canSend = !!sender && recipientReady && message.body.trim().length > 0 && !message.count.overLimit && !optOut && !busy;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!sender || !canSend) return;
    return run(
      async () => {
        const result = await api.startConversation({
          senderId: sender.id,
          ...(customer ? { customerId: customer.id } : { phone: to.trim() }),
          body: message.body,
        });
        onStarted(result.conversation);
      },
      { keepBusy: true },
    );
  };

  return (
    <Modal title="Text a customer" onClose={onClose} className="modal-wide" testId="new-conversation">
      {usable.length === 0 ? (
        <div className="stack">
          <p>There is no number to text from yet.</p>
          <p className="muted">
            An admin adds one in <a href={routeHref({ name: 'settings', tab: 'senders' })} onClick={onClose}>Settings → Senders</a>.
          </p>
        </div>
      ) : (
        <form className="stack" onSubmit={submit}>
          <label className="field">
            <span>From</span>
            <select value={senderId} onChange={(e) => setSenderId(e.target.value)}>
              {usable.map((s) => (
                <option key={s.id} value={s.id}>
                  {senderLabel(s)}
                </option>
              ))}
            </select>
          </label>
          <RecipientPicker to={to} onToChange={setTo} customer={customer} onCustomerChange={setCustomer} />
          {optOut && (
            <p className="composer-blocked" role="note">
              {customerLabel(customer)} opted out of texts from {senderLabel(sender)} on {fullDateTime(optOut.at)}. Pick another number or wait
              for them to text START.
            </p>
          )}
          <div className="field">
            <MessageInput
              id="new-conversation-message"
              label="Message"
              visibleLabel
              value={message.body}
              nonGsmCharacters={message.count.nonGsmCharacters}
              onChange={message.edit}
              placeholder="Write the first message"
              describedBy="new-conversation-counter"
            />
            <SegmentCounter count={message.count} id="new-conversation-counter" />
            <EncodingHelp count={message.count} replaceable={message.replaceable} onReplace={message.replaceLookalikes} />
            {message.limitNote && (
              <p className="composer-limit" role="alert">
                {message.limitNote}
              </p>
            )}
          </div>
          <p className="muted small">If they wrote recently, this continues that conversation.</p>
          {error && <ErrorNote message={error} />}
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={!canSend}>
              {busy ? 'Sending…' : 'Send'}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}

interface RecipientPickerProps {
  to: string;
  onToChange(to: string): void;
  customer: Customer | null;
  onCustomerChange(customer: Customer | null): void;
}

/** A phone number, or one of the customers whose name or number matches what is typed. */
function RecipientPicker({ to, onToChange, customer, onCustomerChange }: RecipientPickerProps) {
  const listId = useId();
  const query = useDebounced(to.trim(), 200);
  const [matches, setMatches] = useState<Customer[]>([]);
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);

  useEffect(() => {
    if (customer || query.length < 2) {
      setMatches([]);
      return;
    }
    const controller = new AbortController();
    api.findCustomers(query, { signal: controller.signal }).then(
      (page) => {
        setMatches(page.items.slice(0, 8));
        setActive(-1);
        setOpen(true);
      },
      (e: unknown) => !isAbort(e) && setMatches([]),
    );
    return () => controller.abort();
  }, [query, customer]);

  const choose = (chosen: Customer) => {
    onCustomerChange(chosen);
    setOpen(false);
  };

  if (customer) {
    return (
      <div className="field">
        <span>To</span>
        <div className="recipient-chip" data-testid="recipient">
          <span>
            <strong>{customerLabel(customer)}</strong> {customer.name ? formatPhone(customer.phone) : ''}
          </span>
          <button type="button" className="link-button" onClick={() => onCustomerChange(null)}>
            Change
          </button>
        </div>
      </div>
    );
  }

  const showList = open && matches.length > 0;
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (!showList) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((i) => (i + (event.key === 'ArrowDown' ? 1 : -1) + matches.length) % matches.length);
    } else if (event.key === 'Enter' && active >= 0 && matches[active]) {
      event.preventDefault();
      choose(matches[active]);
    } else if (event.key === 'Escape') {
      event.stopPropagation();
      setOpen(false);
    }
  };

  return (
    <div className="field combobox">
      <label htmlFor={`${listId}-input`}>To</label>
      <input
        id={`${listId}-input`}
        role="combobox"
        aria-expanded={showList}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={showList && active >= 0 ? `${listId}-${active}` : undefined}
        autoComplete="off"
        inputMode="text"
        placeholder="Phone number, or a customer's name"
        value={to}
        required
        onChange={(e) => {
          onToChange(e.target.value);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      {showList && (
        <ul id={listId} role="listbox" className="combobox-list" aria-label="Matching customers">
          {matches.map((match, index) => (
            <li
              key={match.id}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(match);
              }}
            >
              <strong>{customerLabel(match)}</strong> <span className="muted">{formatPhone(match.phone)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
