import { forwardRef, useLayoutEffect, useMemo, useRef, type ClipboardEvent, type KeyboardEvent, type Ref, type TextareaHTMLAttributes } from 'react';
import { graphemes } from '../lib/limitBody';

interface MessageInputProps {
  id: string;
  label: string;
  value: string;
  nonGsmCharacters: string[];
  /** `caret` is where the caret is after the change. */
  onChange(value: string, caret: number): void;
  onKeyDown?(event: KeyboardEvent<HTMLTextAreaElement>): void;
  onPaste?(event: ClipboardEvent<HTMLTextAreaElement>): void;
  disabled?: boolean;
  placeholder?: string;
  describedBy?: string;
  /** Show the label above the box (forms); the reply box keeps it for screen readers only. */
  visibleLabel?: boolean;
  /** More for the box itself: a picker's aria-activedescendant, selection and focus handlers. */
  inputProps?: TextareaHTMLAttributes<HTMLTextAreaElement>;
}

/**
 * A growing textarea over a mirror that paints the characters forcing UCS-2, so the agent sees
 * exactly where they are. The mirror is decoration (aria-hidden); the list next to the counter
 * names them for everyone.
 */
export const MessageInput = forwardRef(function MessageInput(
  { id, label, value, nonGsmCharacters, onChange, onKeyDown, onPaste, disabled, placeholder, describedBy, visibleLabel, inputProps }: MessageInputProps,
  ref: Ref<HTMLTextAreaElement>,
) {
  const mirror = useRef<HTMLDivElement>(null);
  const own = useRef<HTMLTextAreaElement | null>(null);

  const marked = useMemo(() => {
    if (nonGsmCharacters.length === 0) return null;
    const flagged = new Set(nonGsmCharacters);
    return graphemes(value).map((g, i) => (flagged.has(g) ? <mark key={i}>{g}</mark> : g));
  }, [value, nonGsmCharacters]);

  useLayoutEffect(() => {
    const el = own.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight + 2}px`;
    if (mirror.current) mirror.current.scrollTop = el.scrollTop;
  }, [value]);

  const setRefs = (el: HTMLTextAreaElement | null) => {
    own.current = el;
    if (typeof ref === 'function') ref(el);
    else if (ref) ref.current = el;
  };

  return (
    <>
      <label htmlFor={id} className={visibleLabel ? 'field-label' : 'sr-only'}>
        {label}
      </label>
      <div className="message-input">
        <div className="message-input-mirror" ref={mirror} aria-hidden="true">
          {marked}
          {'\u200b'}
        </div>
        <textarea
          id={id}
          ref={setRefs}
          rows={1}
          value={value}
          {...inputProps}
          onChange={(e) => onChange(e.target.value, e.target.selectionStart)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onScroll={(e) => mirror.current && (mirror.current.scrollTop = e.currentTarget.scrollTop)}
          disabled={disabled}
          placeholder={placeholder}
          aria-describedby={describedBy}
          spellCheck
        />
      </div>
    </>
  );
});
