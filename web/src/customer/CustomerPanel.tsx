import type { Conversation, Customer, InboxView } from '../api/types';
import { CustomerForm } from './CustomerForm';
import { OptOutState } from './OptOutState';
import { TimelineList } from './TimelineList';

interface CustomerPanelProps {
  conversation: Conversation;
  customer: Customer | null;
  onCustomerChange(customer: Customer): void;
  onClose(): void;
  view: InboxView;
}

const optOutKey = (customer: Customer | null) =>
  customer ? [...customer.optOuts, ...customer.twilioOptOuts].map((o) => `${o.senderId}@${o.at}`).join(',') : '';

export function CustomerPanel({ conversation, customer, onCustomerChange, onClose, view }: CustomerPanelProps) {
  return (
    <aside id="customer-panel" className="customer-panel" aria-labelledby="customer-panel-title" data-testid="customer-panel">
      <header className="panel-header">
        <h2 id="customer-panel-title">Customer</h2>
        <button type="button" className="icon-button panel-close" aria-label="Hide customer details" onClick={onClose}>
          ×
        </button>
      </header>
      {customer ? (
        <>
          <CustomerForm key={customer.id} customer={customer} onSaved={onCustomerChange} />
          <OptOutState customer={customer} senderId={conversation.senderId} onChange={onCustomerChange} />
        </>
      ) : (
        <p className="muted">Loading customer…</p>
      )}
      {/* An opt-out changed here or live elsewhere shows on the timeline: fetch it again. */}
      <TimelineList key={optOutKey(customer)} customerId={conversation.customer.id} currentId={conversation.id} view={view} />
    </aside>
  );
}
