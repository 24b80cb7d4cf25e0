import { useCallback, useState } from 'react';
import { countSegments } from '../../../src/domain/segments';
import * as api from '../api/api';
import { errorMessage } from '../api/http';
import type { Conversation, Id, InboxView, Message } from '../api/types';
import { useDirectory, useSession } from '../app/session';
import { useCannedReplies } from '../canned/useCannedReplies';
import { Composer } from '../composer/Composer';
import type { Attachment } from '../composer/useAttachments';
import { CustomerPanel } from '../customer/CustomerPanel';
import { customerLabel, fullDateTime, senderLabel } from '../lib/format';
import { newLocalId, type LiveEvent } from '../live/applyEvent';
import { ErrorNote } from '../ui/ConfirmDialog';
import { ConversationHeader } from './ConversationHeader';
import { Thread } from './Thread';
import { useConversation } from './useConversation';
import { useMarkRead } from './useMarkRead';
import { useThread } from './useThread';

interface ConversationScreenProps {
  conversationId: Id;
  /** A message to bring into view and mark (from a search result). */
  focusMessageId?: Id;
  view: InboxView;
  onRead(id: Id): void;
  /** Tells the inbox about this screen's own changes before their events arrive. */
  onLocalEvent(event: LiveEvent): void;
}

export function ConversationScreen({ conversationId, focusMessageId, view, onRead, onLocalEvent }: ConversationScreenProps) {
  const { me } = useSession();
  const { senderById, users } = useDirectory();
  const canned = useCannedReplies();
  const { conversation, setConversation, customer, setCustomer, error, reload } = useConversation(conversationId);
  const thread = useThread(conversationId, focusMessageId);
  const [panelOpen, setPanelOpen] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  useMarkRead(conversationId, thread.messages, !thread.loading, onRead);

  const { addLocal, replaceLocal, removeLocal, upsert, upsertAnswer } = thread;
  const onSend = useCallback(
    async (body: string, attachments: Attachment[]) => {
      const count = countSegments(body);
      const localId = newLocalId();
      // Shown at once as pending; the server's copy replaces it and events move its status on.
      addLocal({
        id: localId,
        conversationId,
        direction: 'outbound',
        body,
        media: attachments.map((a) => ({ id: a.mediaId ?? a.key, contentType: a.file.type, size: a.file.size, url: a.previewUrl ?? '', thumbnailUrl: null, status: 'ready' })),
        status: 'pending',
        errorCode: null,
        errorMessage: null,
        segments: count.segments,
        encoding: count.encoding,
        twilioSid: null,
        authorId: me.user.id,
        automatic: false,
        mentions: [],
        createdAt: new Date().toISOString(),
      });
      try {
        const ids = attachments.flatMap((a) => (a.mediaId === undefined ? [] : [a.mediaId]));
        const message = await api.sendMessage(conversationId, body, ids);
        replaceLocal(localId, message);
        onLocalEvent({ type: 'message.created', partial: false, data: message });
      } catch (e) {
        removeLocal(localId);
        throw e;
      }
    },
    [addLocal, replaceLocal, removeLocal, onLocalEvent, conversationId, me.user.id],
  );

  const onNote = useCallback(
    async (body: string) => {
      const note = await api.addNote(conversationId, body);
      upsert(note);
      onLocalEvent({ type: 'message.created', partial: false, data: note });
    },
    [upsert, onLocalEvent, conversationId],
  );

  const onRetry = useCallback(
    async (message: Message) => {
      setActionError(null);
      // Pending at once, so the answer (which the retry's own events may overtake) never has to move it back.
      upsert({ ...message, status: 'pending', errorCode: null, errorMessage: null });
      try {
        upsertAnswer(await api.retryMessage(message.id));
      } catch (e) {
        upsert(message);
        setActionError(errorMessage(e));
      }
    },
    [upsert, upsertAnswer],
  );

  const change = async (changes: { status?: Conversation['status']; assigneeId?: Id | null }) => {
    setActionError(null);
    try {
      const updated = await api.updateConversation(conversationId, changes);
      setConversation({ ...updated, unread: false });
      onLocalEvent({ type: 'conversation.updated', partial: false, data: updated });
    } catch (e) {
      setActionError(errorMessage(e));
    }
  };

  const onLabels = async (labelIds: Id[]) => {
    setActionError(null);
    try {
      const updated = await api.setConversationLabels(conversationId, labelIds);
      setConversation({ ...updated, unread: false });
      onLocalEvent({ type: 'conversation.updated', partial: false, data: updated });
    } catch (e) {
      setActionError(errorMessage(e));
    }
  };

  if (!conversation) {
    return (
      <section className="conversation-pane" aria-label="Conversation">
        {error ? <ErrorNote message={error} onRetry={reload} /> : <p className="thread-note" role="status">Loading conversation…</p>}
      </section>
    );
  }

  const sender = senderById(conversation.senderId);
  const optOut = customer?.optOuts.find((o) => o.senderId === conversation.senderId);
  const name = customerLabel(conversation.customer);
  const blockedReason = optOut
    ? `${name} opted out of texts from ${sender ? senderLabel(sender) : 'this number'} on ${fullDateTime(optOut.at)}. Nothing can be sent from this number until they text START to it.`
    : null;
  const twilioBlock = optOut ? undefined : customer?.twilioOptOuts.find((o) => o.senderId === conversation.senderId);
  const notice = twilioBlock
    ? `${name} texted STOP to this number on ${fullDateTime(twilioBlock.at)}. They were opted back in here, but Twilio keeps its own block: a text will be refused (error 21610) until they text START to this number.`
    : null;
  const attachBlockedReason = sender && !sender.capabilities.mms ? `${senderLabel(sender)} cannot send pictures.` : null;

  return (
    <div className="conversation-screen" data-panel={panelOpen ? 'open' : 'closed'}>
      <section className="conversation-pane" aria-labelledby="conversation-title" data-testid="conversation" data-conversation-id={conversation.id}>
        <ConversationHeader
          conversation={conversation}
          sender={sender}
          view={view}
          panelOpen={panelOpen}
          onTogglePanel={() => setPanelOpen((open) => !open)}
          onChange={change}
          onLabels={onLabels}
        />
        <Thread
          messages={thread.messages}
          loading={thread.loading}
          error={thread.error}
          hasOlder={thread.hasOlder}
          loadingOlder={thread.loadingOlder}
          onLoadOlder={thread.loadOlder}
          onRetry={onRetry}
          onReload={thread.reload}
          focusId={focusMessageId}
        />
        {actionError && <ErrorNote message={actionError} />}
        <Composer
          conversationId={conversation.id}
          recipient={name}
          blockedReason={blockedReason}
          notice={notice}
          attachBlockedReason={attachBlockedReason}
          onSend={onSend}
          onNote={onNote}
          cannedReplies={canned.replies}
          onCannedOpen={canned.reload}
          people={{ customer: { name: customer?.name ?? conversation.customer.name }, agent: { name: me.user.name } }}
          mentionable={users.filter((u) => u.active)}
        />
      </section>
      <CustomerPanel
        conversation={conversation}
        customer={customer}
        onCustomerChange={setCustomer}
        onClose={() => setPanelOpen(false)}
        view={view}
      />
    </div>
  );
}
