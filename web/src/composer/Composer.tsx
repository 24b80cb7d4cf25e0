import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ClipboardEvent, type DragEvent, type FormEvent, type KeyboardEvent } from 'react';
import { fillPlaceholders, type PlaceholderPeople } from '../../../src/domain/placeholders';
import { countSegments } from '../../../src/domain/segments';
import { errorMessage } from '../api/http';
import type { CannedReply, Id } from '../api/types';
import { getDraft, setDraft } from '../lib/drafts';
import { plural } from '../lib/format';
import { isTyping } from '../lib/hooks';
import { NOTE_LIMIT, TEXT_LIMIT } from '../lib/limitBody';
import { ErrorNote } from '../ui/ConfirmDialog';
import { AttachmentTray } from './AttachmentTray';
import { EncodingHelp } from './EncodingHelp';
import { MessageInput } from './MessageInput';
import { SegmentCounter } from './SegmentCounter';
import { matchingPeople, matchingReplies, triggerBefore, type Trigger } from './suggest';
import { optionId, SuggestionList } from './SuggestionList';
import { ALLOWED_TYPES, useAttachments, type Attachment } from './useAttachments';
import { useMessageBody } from './useMessageBody';

export interface ComposerProps {
  conversationId: Id;
  recipient: string;
  /** Why nothing can be sent here (the customer opted out of this number), or null. */
  blockedReason: string | null;
  /** Something to know before sending that does not stop it (Twilio's own block after a STOP), or null. */
  notice?: string | null;
  /** Why pictures cannot be attached (the number cannot send MMS), or null. */
  attachBlockedReason?: string | null;
  /** Sends; throws to put the text and pictures back with the error shown. */
  onSend(body: string, attachments: Attachment[]): Promise<void>;
  /** Adds an internal note; throws to put the text back with the error shown. */
  onNote(body: string): Promise<void>;
  /** The replies `/` offers in reply mode, and who their placeholders name. */
  cannedReplies?: CannedReply[];
  people?: PlaceholderPeople;
  /** The `/` picker opened: a chance to fetch the replies again. */
  onCannedOpen?(): void;
  /** The people `@` offers in note mode: the organization's active users. */
  mentionable?: Array<{ id: Id; name: string }>;
}

type Mode = 'reply' | 'note';

/**
 * `n` (outside a text field, with the box empty) switches between reply and note; `r` is the
 * inbox's "focus the reply box" and always means reply. A draft never changes mode by a key, so
 * what was typed as a reply cannot become a note unnoticed, nor a note a text.
 */
function useModeKeys(empty: boolean, setMode: (change: (m: Mode) => Mode) => void, focus: () => void) {
  const latest = useRef(empty);
  latest.current = empty;
  useEffect(() => {
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      if (event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target) || document.querySelector('[aria-modal="true"]')) return;
      if (event.key === 'r') setMode(() => 'reply');
      if (event.key !== 'n' || !latest.current) return;
      event.preventDefault();
      setMode((m) => (m === 'note' ? 'reply' : 'note'));
      focus();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [setMode, focus]);
}

function imageFiles(list: FileList | null | undefined): File[] {
  return list ? [...list].filter((f) => f.type.startsWith('image/') || /\.(heic|heif)$/i.test(f.name)) : [];
}

const NO_ONE: PlaceholderPeople = { customer: { name: null }, agent: { name: null } };

type Picker =
  | { kind: 'canned'; trigger: Trigger; items: CannedReply[] }
  | { kind: 'mention'; trigger: Trigger; items: Array<{ id: Id; name: string }> };

/**
 * The `/` picker of canned replies (reply mode) or the `@` picker of people (note mode) the caret
 * is in, unless Escape closed it; `dismissed` is the trigger's position when it was closed.
 */
function usePicker(body: string, caret: number | null, noting: boolean, cannedReplies: CannedReply[], mentionable: Array<{ id: Id; name: string }>) {
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  const trigger = caret === null ? null : triggerBefore(body, caret, noting ? '@' : '/');
  const open = trigger !== null && trigger.start !== dismissed;
  let picker: Picker | null = null;
  if (open && !noting) picker = { kind: 'canned', trigger, items: matchingReplies(cannedReplies, trigger.query) };
  if (open && noting) picker = { kind: 'mention', trigger, items: matchingPeople(mentionable, trigger.query) };
  if (picker?.items.length === 0) picker = null;

  // A new query starts at the best match; a trigger typed anew is no longer the dismissed one.
  const key = trigger ? `${trigger.start}:${trigger.query}` : null;
  useEffect(() => setActive(0), [key]);
  const typing = trigger !== null;
  useEffect(() => {
    if (!typing) setDismissed(null);
  }, [typing]);

  const count = picker?.items.length ?? 0;
  return {
    picker,
    typing,
    active: Math.min(active, Math.max(count - 1, 0)),
    move: (by: number) => setActive((a) => (Math.min(a, count - 1) + by + count) % count),
    dismiss: () => trigger && setDismissed(trigger.start),
  };
}

export function Composer({
  conversationId,
  recipient,
  blockedReason,
  notice = null,
  attachBlockedReason = null,
  onSend,
  onNote,
  cannedReplies = [],
  people = NO_ONE,
  onCannedOpen,
  mentionable = [],
}: ComposerProps) {
  const [mode, setMode] = useState<Mode>('reply');
  const noting = mode === 'note';
  const message = useMessageBody(getDraft(conversationId), noting ? NOTE_LIMIT : TEXT_LIMIT);
  // Where the caret is while the box has focus; null when it does not (no picker then).
  const [caret, setCaret] = useState<number | null>(null);
  const placeCaret = useRef<number | null>(null);
  const attachments = useAttachments();
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  // An opt-out stops texts, not the team's notes.
  const blocked = blockedReason !== null && !noting;
  const focus = useCallback(() => requestAnimationFrame(() => textarea.current?.focus()), []);
  useModeKeys(message.body === '' && attachments.items.length === 0, setMode, focus);

  useEffect(() => setDraft(conversationId, message.body), [conversationId, message.body]);

  const { picker, typing, active, move, dismiss } = usePicker(message.body, caret, noting, cannedReplies, mentionable);
  // Asked on each new `/`, matching or not: a reply saved in another tab since shows up.
  const slashTyped = typing && !noting;
  useEffect(() => {
    if (slashTyped) onCannedOpen?.();
  }, [slashTyped, onCannedOpen]);

  // A controlled box puts the caret at the end when its value is set: put it after what was inserted.
  useLayoutEffect(() => {
    const at = placeCaret.current;
    if (at === null || !textarea.current) return;
    placeCaret.current = null;
    textarea.current.setSelectionRange(at, at);
    setCaret(at);
  }, [message.body]);

  const pick = (index: number) => {
    if (!picker) return;
    const { start, query } = picker.trigger;
    const end = start + 1 + query.length;
    const inserted = picker.kind === 'canned' ? fillPlaceholders(picker.items[index]!.body, people) : `@${picker.items[index]!.name} `;
    const body = message.body;
    const next = body.slice(0, start) + inserted + body.slice(end);
    message.edit(next);
    placeCaret.current = Math.min(start + inserted.length, next.length);
    textarea.current?.focus();
  };

  const hasContent = message.body.trim().length > 0 || attachments.mediaIds.length > 0;
  const canSend = !blocked && hasContent && !message.count.overLimit && !attachments.uploading && !attachments.failed;
  const canNote = message.body.trim().length > 0;

  const addNote = async () => {
    if (!canNote) return;
    const body = message.body;
    message.reset('');
    setError(null);
    try {
      await onNote(body);
    } catch (e) {
      message.reset(body);
      setError(errorMessage(e));
    }
    textarea.current?.focus();
  };

  const send = async () => {
    if (noting) return addNote();
    if (!canSend) return;
    const body = message.body;
    const sent = attachments.items;
    message.reset('');
    attachments.clear();
    setError(null);
    try {
      await onSend(body, sent);
    } catch (e) {
      message.reset(body);
      attachments.restore(sent);
      setError(errorMessage(e));
    }
    textarea.current?.focus();
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void send();
  };

  const onPickerKey = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!picker || event.nativeEvent.isComposing) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') move(event.key === 'ArrowDown' ? 1 : -1);
    else if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') pick(active);
    else if (event.key === 'Escape') {
      event.stopPropagation();
      dismiss();
    } else return false;
    event.preventDefault();
    return true;
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (onPickerKey(event)) return;
    if (event.key !== 'Enter' || event.shiftKey || event.altKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    void send();
  };

  const canAttach = !blocked && !noting && attachBlockedReason === null;

  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = imageFiles(event.clipboardData?.files);
    if (files.length === 0 || !canAttach) return;
    attachments.add(files);
    if (!event.clipboardData.getData('text/plain')) event.preventDefault();
  };

  const onDragOver = (event: DragEvent) => {
    if (!canAttach || !event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  };

  const onDrop = (event: DragEvent) => {
    setDragging(false);
    if (!canAttach) return;
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    attachments.add(files);
  };

  return (
    <form
      className="composer"
      data-testid="composer"
      data-dragging={dragging ? 'true' : undefined}
      data-mode={mode}
      onSubmit={onSubmit}
      onDragOver={onDragOver}
      onDragLeave={(e) => !e.currentTarget.contains(e.relatedTarget as Node | null) && setDragging(false)}
      onDrop={onDrop}
      aria-label={noting ? `Note on the conversation with ${recipient}` : `Reply to ${recipient}`}
    >
      <div className="composer-mode" role="group" aria-label="Reply or note">
        <button type="button" className="button button-small" aria-pressed={!noting} onClick={() => setMode('reply')}>
          Reply
        </button>
        <button type="button" className="button button-small" aria-pressed={noting} onClick={() => setMode('note')} title="Internal note (n)">
          Note
        </button>
        {noting && <span className="note-hint">Only your team sees notes; nothing is sent to {recipient}.</span>}
      </div>
      {blocked && (
        <p className="composer-blocked" role="note" data-testid="composer-blocked">
          {blockedReason}
        </p>
      )}
      {notice && !noting && !blocked && (
        <p className="composer-blocked" role="note" data-testid="composer-notice">
          {notice}
        </p>
      )}
      <AttachmentTray items={attachments.items} onRemove={attachments.remove} />
      <MessageInput
        id="composer-input"
        ref={textarea}
        label={noting ? 'Note' : 'Message'}
        value={message.body}
        nonGsmCharacters={noting ? [] : message.count.nonGsmCharacters}
        onChange={(value, at) => {
          message.edit(value);
          setCaret(at);
        }}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
        disabled={blocked}
        placeholder={noting ? 'Write a note for your team… (@name mentions)' : blocked ? 'Texting is turned off for this customer' : `Text ${recipient}…`}
        describedBy={noting ? 'composer-help' : 'composer-counter composer-help'}
        inputProps={{
          'aria-autocomplete': 'list',
          'aria-controls': picker ? PICKER_ID : undefined,
          'aria-activedescendant': picker ? optionId(PICKER_ID, active) : undefined,
          onSelect: (e) => setCaret(e.currentTarget.selectionStart),
          onFocus: (e) => setCaret(e.currentTarget.selectionStart),
          onBlur: () => setCaret(null),
        }}
      />
      {picker?.kind === 'canned' && (
        <SuggestionList
          id={PICKER_ID}
          label="Canned replies"
          items={picker.items}
          active={active}
          keyOf={(r) => r.id}
          onPick={pick}
          render={(r) => <CannedOption reply={r} people={people} />}
        />
      )}
      {picker?.kind === 'mention' && (
        <SuggestionList id={PICKER_ID} label="Mention someone" items={picker.items} active={active} keyOf={(u) => u.id} onPick={pick} render={(u) => u.name} />
      )}
      <div className="composer-footer">
        <button
          type="button"
          className="icon-button"
          onClick={() => fileInput.current?.click()}
          disabled={!canAttach}
          aria-label="Attach pictures"
          title={attachBlockedReason ?? 'Attach pictures (JPEG, PNG, GIF; or drop or paste them)'}
        >
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <path
              d="M16.5 6.5v10a4.5 4.5 0 0 1-9 0V6a3 3 0 0 1 6 0v9.5a1.5 1.5 0 0 1-3 0V7"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.8"
              strokeLinecap="round"
            />
          </svg>
        </button>
        <input
          ref={fileInput}
          type="file"
          accept={[...ALLOWED_TYPES, '.heic', '.heif'].join(',')}
          multiple
          hidden
          data-testid="attach-input"
          aria-label="Picture files"
          onChange={(e) => {
            attachments.add([...(e.target.files ?? [])]);
            e.target.value = '';
          }}
        />
        {noting ? <span className="composer-spacer" /> : <SegmentCounter count={message.count} id="composer-counter" />}
        <button type="submit" className="button button-primary" disabled={noting ? !canNote : !canSend}>
          {noting ? 'Add note' : 'Send'}
        </button>
      </div>
      <div id="composer-help">
        {!noting && <EncodingHelp count={message.count} replaceable={message.replaceable} onReplace={message.replaceLookalikes} />}
        {message.limitNote && (
          <p className="composer-limit" role="alert" data-testid="limit-note">
            {message.limitNote}
          </p>
        )}
        {attachments.refusal && <ErrorNote message={attachments.refusal} />}
        {error && <ErrorNote message={error} />}
      </div>
    </form>
  );
}

const PICKER_ID = 'composer-picker';

/** A canned reply as it will be sent here, with what it costs: counted by the composer's own segment module. */
function CannedOption({ reply, people }: { reply: CannedReply; people: PlaceholderPeople }) {
  const filled = fillPlaceholders(reply.body, people);
  const count = countSegments(filled);
  return (
    <>
      <span className="suggestion-head">
        <span className="suggestion-shortcut">/{reply.shortcut}</span> {reply.title}
      </span>
      <span className="suggestion-body">{filled}</span>
      <span className="suggestion-meter" data-testid="canned-meter" data-characters={count.characters} data-segments={count.segments} data-encoding={count.encoding}>
        {count.characters.toLocaleString()} chars · {plural(count.segments, 'segment')} · {count.encoding}
      </span>
    </>
  );
}
