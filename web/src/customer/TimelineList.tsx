import type { Id, InboxView, Timeline, TimelineConversation } from '../api/types';
import { useDirectory } from '../app/session';
import { fullDateTime, plural, senderLabel, timeOfDay } from '../lib/format';
import { routeHref } from '../lib/router';
import { ErrorNote } from '../ui/ConfirmDialog';
import { useTimeline } from './useTimeline';

export function TimelineList({ customerId, currentId, view }: { customerId: Id; currentId: Id; view: InboxView }) {
  const { timeline, error, reload, loadMore, loadOlderMessages } = useTimeline(customerId);
  return (
    <section className="panel-section" aria-labelledby="timeline-title" data-testid="timeline">
      <h3 id="timeline-title">All conversations</h3>
      {error && <ErrorNote message={error} onRetry={reload} />}
      {!timeline && !error && <p className="muted">Loading…</p>}
      {timeline && (
        <>
          <ol className="timeline">
            {timeline.conversations.map((c) => (
              <TimelineItem key={c.id} conversation={c} current={c.id === currentId} view={view} onOlder={() => loadOlderMessages(c)} />
            ))}
          </ol>
          {timeline.nextCursor && (
            <button type="button" className="link-button" onClick={loadMore}>
              Show older conversations
            </button>
          )}
        </>
      )}
      {timeline && timeline.optOutChanges.length > 0 && <OptOutChanges changes={timeline.optOutChanges} />}
    </section>
  );
}

/** Who opted the customer out or back in, from which number, and why. */
function OptOutChanges({ changes }: { changes: Timeline['optOutChanges'] }) {
  const { senderById, userById } = useDirectory();
  return (
    <ol className="optout-changes" aria-label="Opt-out changes" data-testid="opt-out-changes">
      {changes.map((c) => {
        const sender = c.senderId ? senderById(c.senderId) : undefined;
        const scope = c.senderId === null ? 'every number' : sender ? senderLabel(sender) : 'a removed number';
        return (
          <li key={c.id}>
            <strong>{c.action === 'opt_out' ? 'Opted out of' : 'Opted back in to'}</strong> {scope} by {userById(c.actorId)?.name ?? 'a former user'},{' '}
            <time dateTime={c.createdAt}>{fullDateTime(c.createdAt)}</time>
            {c.reason && <>: “{c.reason}”</>}
          </li>
        );
      })}
    </ol>
  );
}

interface TimelineItemProps {
  conversation: TimelineConversation;
  current: boolean;
  view: InboxView;
  onOlder(): void;
}

function TimelineItem({ conversation, current, view, onOlder }: TimelineItemProps) {
  const { senderById, userById } = useDirectory();
  const sender = senderById(conversation.senderId);
  return (
    <li className="timeline-item" data-current={current ? 'true' : undefined}>
      <div className="timeline-head">
        {current ? (
          <strong>This conversation</strong>
        ) : (
          <a href={routeHref({ name: 'inbox', view: conversation.status === 'closed' ? 'closed' : view === 'closed' ? 'open' : view, conversationId: conversation.id })}>
            {fullDateTime(conversation.createdAt)}
          </a>
        )}
        <span className={`badge badge-${conversation.status}`}>{conversation.status === 'open' ? 'Open' : 'Closed'}</span>
      </div>
      <p className="muted">
        {plural(conversation.messageCount, 'message')} · via {sender ? senderLabel(sender) : 'a removed number'}
      </p>
      {conversation.messages.length > 0 && (
        <details>
          <summary>Show messages</summary>
          {conversation.messagesCursor && (
            <button type="button" className="link-button" onClick={onOlder}>
              Show earlier messages
            </button>
          )}
          <ol className="timeline-messages">
            {conversation.messages.map((m) => (
              <li key={m.id} className={m.direction}>
                <span className="timeline-who">
                  {m.direction === 'inbound' ? 'Customer' : (userById(m.authorId)?.name ?? 'Team')}
                  {m.direction === 'note' && ' (note)'}
                </span>{' '}
                <time dateTime={m.createdAt} title={fullDateTime(m.createdAt)}>
                  {timeOfDay(m.createdAt)}
                </time>
                <p>{m.body || (m.media.length ? plural(m.media.length, 'picture') : '(no text)')}</p>
              </li>
            ))}
          </ol>
        </details>
      )}
    </li>
  );
}
