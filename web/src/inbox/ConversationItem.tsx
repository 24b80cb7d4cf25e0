import { memo } from 'react';
import type { Conversation, InboxView, Sender, User } from '../api/types';
import { customerLabel, fullDateTime, relativeTime, senderLabel } from '../lib/format';
import { LabelChip } from '../labels/LabelChip';
import { routeHref } from '../lib/router';

interface ConversationItemProps {
  conversation: Conversation;
  view: InboxView;
  selected: boolean;
  now: Date;
  assignee: User | undefined;
  /** Shown only when the organization texts from more than one number. */
  sender: Sender | undefined;
}

export const ConversationItem = memo(function ConversationItem({ conversation, view, selected, now, assignee, sender }: ConversationItemProps) {
  const { unread } = conversation;
  return (
    <li>
      <a
        className="conversation-item"
        href={routeHref({ name: 'inbox', view, conversationId: conversation.id })}
        data-testid="conversation-item"
        data-conversation-id={conversation.id}
        data-unread={unread ? 'true' : 'false'}
        aria-current={selected ? 'true' : undefined}
      >
        <span className="item-top">
          {unread && (
            <span className="unread-dot">
              <span className="sr-only">Unread: </span>
            </span>
          )}
          <span className="item-name">{customerLabel(conversation.customer)}</span>
          <time className="item-time" dateTime={conversation.lastMessageAt} title={fullDateTime(conversation.lastMessageAt)}>
            {relativeTime(conversation.lastMessageAt, now)}
          </time>
        </span>
        <span className="item-preview">{conversation.preview || '(no text)'}</span>
        <span className="item-meta">
          <span>{assignee ? assignee.name : conversation.assigneeId ? 'Assigned' : 'Unassigned'}</span>
          {sender && <span>· {senderLabel(sender)}</span>}
          {conversation.status === 'closed' && <span className="badge">Closed</span>}
        </span>
        {conversation.labels.length > 0 && (
          <span className="item-labels">
            {conversation.labels.map((l) => (
              <LabelChip key={l.id} label={l} />
            ))}
          </span>
        )}
      </a>
    </li>
  );
});
