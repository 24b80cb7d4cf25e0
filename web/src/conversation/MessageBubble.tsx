import { memo, useState } from 'react';
import type { Media, Message, User } from '../api/types';
import { formatBytes, fullDateTime, timeOfDay } from '../lib/format';
import { DeliveryMark, failureReason } from './DeliveryMark';
import { Linkified } from './Linkified';

const INLINE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

interface MessageBubbleProps {
  message: Message;
  author: User | undefined;
  onEnlarge(media: Media): void;
  onRetry(message: Message): Promise<void>;
  onMediaLoad(): void;
  /** The message a search result opened. */
  focused?: boolean;
}

export const MessageBubble = memo(function MessageBubble(props: MessageBubbleProps) {
  return props.message.direction === 'note' ? <NoteBubble message={props.message} author={props.author} focused={props.focused} /> : <TextBubble {...props} />;
});

/** A note stands apart from texts, so nobody mistakes it for something the customer saw. */
function NoteBubble({ message, author, focused }: { message: Message; author: User | undefined; focused?: boolean }) {
  return (
    <li className="message note" data-testid="message" data-message-id={message.id} data-direction="note" data-focused={focused || undefined} aria-current={focused || undefined}>
      <div className="bubble">
        <p className="note-label">Note — only your team sees this</p>
        <p className="message-body">
          <Linkified text={message.body} />
        </p>
      </div>
      <div className="message-meta">
        {author && <span className="message-author">{author.name}</span>}
        <time dateTime={message.createdAt} title={fullDateTime(message.createdAt)}>
          {timeOfDay(message.createdAt)}
        </time>
      </div>
    </li>
  );
}

function TextBubble({ message, author, onEnlarge, onRetry, onMediaLoad, focused }: MessageBubbleProps) {
  const outbound = message.direction === 'outbound';
  const failed = message.status === 'failed' || message.status === 'undelivered';
  const reason = failureReason(message);
  const [retrying, setRetrying] = useState(false);

  const retry = async () => {
    setRetrying(true);
    try {
      await onRetry(message);
    } finally {
      setRetrying(false);
    }
  };

  return (
    <li
      className={`message ${outbound ? 'outbound' : 'inbound'}${failed ? ' failed' : ''}`}
      data-testid="message"
      data-message-id={message.id}
      data-direction={message.direction}
      data-status={message.status}
      data-automatic={message.automatic ? 'true' : undefined}
      data-focused={focused || undefined}
      aria-current={focused || undefined}
    >
      <div className="bubble">
        {message.media.length > 0 && (
          <div className="media-grid">
            {message.media.map((media) =>
              media.status === 'pending' ? (
                <span key={media.id} className="media-note" role="status">
                  Picture on its way…
                </span>
              ) : media.status === 'failed' ? (
                <span key={media.id} className="media-note media-failed">
                  This picture could not be downloaded from Twilio.
                </span>
              ) : INLINE_TYPES.has(media.contentType) ? (
                <button key={media.id} type="button" className="media-thumb" onClick={() => onEnlarge(media)} aria-label="Enlarge picture">
                  <img src={media.thumbnailUrl ?? media.url} alt={outbound ? 'Picture sent' : 'Picture from the customer'} loading="lazy" onLoad={onMediaLoad} />
                </button>
              ) : (
                <a key={media.id} className="media-file" href={media.url} download>
                  Attachment ({media.contentType}, {formatBytes(media.size)})
                </a>
              ),
            )}
          </div>
        )}
        {message.body && (
          <p className="message-body">
            <Linkified text={message.body} />
          </p>
        )}
        {!message.body && message.media.length === 0 && <p className="message-body muted">(no text)</p>}
      </div>
      <div className="message-meta">
        {outbound && author && <span className="message-author">{author.name}</span>}
        {message.automatic && (
          <span className="message-author" title="Sent by Parley outside business hours">
            Automatic away message
          </span>
        )}
        <time dateTime={message.createdAt} title={fullDateTime(message.createdAt)}>
          {timeOfDay(message.createdAt)}
        </time>
        {outbound && <DeliveryMark message={message} />}
        {outbound && message.segments !== null && message.segments > 1 && <span className="muted">{message.segments} segments</span>}
      </div>
      {outbound && failed && (
        <div className="message-failure" role="note">
          <span>{reason ?? 'The message was not delivered.'}</span>
          {message.status === 'failed' && (
            <button type="button" className="button button-small" onClick={retry} disabled={retrying}>
              {retrying ? 'Retrying…' : 'Retry'}
            </button>
          )}
        </div>
      )}
      {!outbound && reason && (
        <p className="message-failure" role="note">
          {reason}
        </p>
      )}
    </li>
  );
}
