import type { Message } from '../api/types';

const MARKS: Record<string, { icon: string; label: string }> = {
  pending: { icon: '◷', label: 'Pending' },
  queued: { icon: '◷', label: 'Queued' },
  sending: { icon: '↗', label: 'Sending' },
  sent: { icon: '✓', label: 'Sent' },
  delivered: { icon: '✓✓', label: 'Delivered' },
  undelivered: { icon: '!', label: 'Not delivered' },
  failed: { icon: '!', label: 'Failed' },
};

export function failureReason(message: Message): string | null {
  if (!message.errorMessage && message.errorCode === null) return null;
  const reason = message.errorMessage ?? 'Twilio reported an error.';
  return message.errorCode !== null ? `${reason} (error ${message.errorCode})` : reason;
}

/** The delivery state of an outbound message; the title carries Twilio's reason on failure. */
export function DeliveryMark({ message }: { message: Message }) {
  const status = message.status ?? '';
  const mark = MARKS[status] ?? { icon: '·', label: status };
  const reason = failureReason(message);
  return (
    <span className="delivery-mark" data-testid="delivery-mark" data-status={message.status} title={reason ? `${mark.label}: ${reason}` : mark.label}>
      <span aria-hidden="true" className="delivery-icon">
        {mark.icon}
      </span>
      <span className="delivery-label">{mark.label}</span>
    </span>
  );
}
