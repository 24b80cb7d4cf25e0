import type { Conversation, Id, InboxView, Sender } from '../api/types';
import { useDirectory, useSession } from '../app/session';
import { customerLabel, formatPhone, senderLabel } from '../lib/format';
import { LabelPicker } from '../labels/LabelPicker';
import { routeHref } from '../lib/router';

interface ConversationHeaderProps {
  conversation: Conversation;
  sender: Sender | undefined;
  view: InboxView;
  panelOpen: boolean;
  onTogglePanel(): void;
  onChange(changes: { status?: Conversation['status']; assigneeId?: Id | null }): void;
  onLabels(labelIds: Id[]): Promise<void>;
}

export function ConversationHeader({ conversation, sender, view, panelOpen, onTogglePanel, onChange, onLabels }: ConversationHeaderProps) {
  const { me } = useSession();
  const { users } = useDirectory();
  const name = customerLabel(conversation.customer);
  const assignable = users.filter((u) => u.active || u.id === conversation.assigneeId);

  return (
    <header className="conversation-header">
      <a className="back-link" href={routeHref({ name: 'inbox', view, conversationId: null })}>
        <span aria-hidden="true">‹</span> Inbox
      </a>
      <div className="conversation-title">
        <h2 id="conversation-title">{name}</h2>
        <p className="muted">
          {conversation.customer.name ? `${formatPhone(conversation.customer.phone)} · ` : ''}
          via {sender ? senderLabel(sender) : 'a removed number'}
          {conversation.status === 'closed' && <span className="badge">Closed</span>}
        </p>
        <LabelPicker conversation={conversation} onChange={onLabels} />
      </div>
      <div className="conversation-actions">
        <label className="assignee-select">
          <span className="sr-only">Assignee</span>
          <select
            value={conversation.assigneeId ?? ''}
            onChange={(e) => {
              const chosen = users.find((u) => u.id === e.target.value);
              onChange({ assigneeId: chosen ? chosen.id : null });
            }}
          >
            <option value="">Unassigned</option>
            {assignable.map((user) => (
              <option key={user.id} value={user.id}>
                {user.name}
                {user.id === me.user.id ? ' (you)' : ''}
                {user.active ? '' : ' (deactivated)'}
              </option>
            ))}
          </select>
        </label>
        {conversation.status === 'open' ? (
          <button type="button" className="button" onClick={() => onChange({ status: 'closed' })}>
            Close
          </button>
        ) : (
          <button type="button" className="button" onClick={() => onChange({ status: 'open' })}>
            Reopen
          </button>
        )}
        <button type="button" className="button panel-toggle" aria-expanded={panelOpen} aria-controls="customer-panel" aria-label="Customer details" onClick={onTogglePanel}>
          Customer
        </button>
      </div>
    </header>
  );
}
