// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Composer, type ComposerProps } from './Composer';

let conversation = 0;

function renderComposer(props: Partial<ComposerProps> = {}) {
  const onSend = props.onSend ?? vi.fn(async () => {});
  const onNote = props.onNote ?? vi.fn(async () => {});
  render(<Composer conversationId={`c${++conversation}`} recipient="Ada" blockedReason={null} onSend={onSend} onNote={onNote} {...props} />);
  const textarea = screen.getByLabelText('Message') as HTMLTextAreaElement;
  const type = (value: string) => fireEvent.change(textarea, { target: { value } });
  return { textarea, type, onSend, onNote, counter: () => screen.getByTestId('segment-counter') };
}

describe('Composer', () => {
  afterEach(cleanup);

  it('counts characters, segments and encoding as the agent types', () => {
    const { type, counter } = renderComposer();
    expect(counter().textContent).toBe('0 chars · 0 segments · GSM-7 (160 per segment)');
    type('a'.repeat(160));
    expect(counter().textContent).toBe('160 chars · 1 segment · GSM-7 (160 per segment)');
    type('a'.repeat(161));
    expect(counter().textContent).toBe('161 chars · 2 segments · GSM-7 (153 per segment)');
    expect(counter().dataset).toMatchObject({ segments: '2', encoding: 'GSM-7', characters: '161' });
  });

  it('switches to UCS-2 on an emoji and names the characters that caused it', () => {
    const { type, counter } = renderComposer();
    type('Thanks 😀');
    expect(counter().textContent).toContain('UCS-2');
    expect(counter().textContent).toContain('(70 per segment)');
    expect(screen.getByTestId('ucs2-characters').textContent).toContain('😀');
    // nothing to replace in an emoji
    expect(screen.queryByRole('button', { name: 'Replace with GSM-7 equivalents' })).toBeNull();
  });

  it('replaces smart punctuation with GSM-7 equivalents in one click', () => {
    const { type, textarea, counter } = renderComposer();
    type('It’s “done” — see you…');
    expect(counter().dataset.encoding).toBe('UCS-2');
    expect(screen.getByTestId('ucs2-characters').textContent).toContain('’');
    fireEvent.click(screen.getByRole('button', { name: 'Replace with GSM-7 equivalents' }));
    expect(textarea.value).toBe('It\'s "done" - see you...');
    expect(counter().dataset.encoding).toBe('GSM-7');
    expect(screen.queryByTestId('ucs2-characters')).toBeNull();
  });

  it('stops at 1,600 characters and says why', () => {
    const { type, textarea, counter } = renderComposer();
    type('a'.repeat(1599));
    expect(screen.queryByTestId('limit-note')).toBeNull();
    type('a'.repeat(1700));
    expect(textarea.value).toHaveLength(1600);
    expect(counter().dataset.characters).toBe('1600');
    expect(screen.getByTestId('limit-note').textContent).toContain('1,600 characters');
    expect(screen.getByRole('button', { name: 'Send' })).not.toHaveProperty('disabled', true);
  });

  it('sends on Enter and breaks the line on Shift+Enter', async () => {
    const { type, textarea, onSend } = renderComposer();
    type('Hello there');
    fireEvent.keyDown(textarea, { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(textarea, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('Hello there', []);
    expect(textarea.value).toBe('');
  });

  it('does not send an empty message', () => {
    const { textarea, onSend } = renderComposer();
    fireEvent.keyDown(textarea, { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('puts the text back and shows the error when sending fails', async () => {
    const onSend = vi.fn(async () => {
      throw new Error('The customer opted out of this number.');
    });
    const { type, textarea } = renderComposer({ onSend });
    type('Are you there?');
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(await screen.findByText('The customer opted out of this number.')).toBeTruthy();
    expect(textarea.value).toBe('Are you there?');
  });

  it('is disabled with the reason when the customer opted out', () => {
    const { textarea } = renderComposer({ blockedReason: 'Ada opted out of texts from this number.' });
    expect(textarea.disabled).toBe(true);
    expect(screen.getByTestId('composer-blocked').textContent).toBe('Ada opted out of texts from this number.');
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Attach pictures' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('refuses files that are not JPEG, PNG or GIF pictures', () => {
    renderComposer();
    const input = screen.getByTestId('attach-input');
    fireEvent.change(input, { target: { files: [new File(['x'], 'notes.pdf', { type: 'application/pdf' })] } });
    expect(screen.getByRole('alert').textContent).toContain('notes.pdf is not a JPEG, PNG, GIF, WebP or HEIC picture.');
    expect(screen.queryByTestId('attachment')).toBeNull();
  });

  it('keeps a draft per conversation', () => {
    const { type } = renderComposer({ conversationId: 'draft-1' } as Partial<ComposerProps>);
    type('half-written');
    cleanup();
    render(<Composer conversationId="draft-1" recipient="Ada" blockedReason={null} onSend={async () => {}} onNote={async () => {}} />);
    expect((screen.getByLabelText('Message') as HTMLTextAreaElement).value).toBe('half-written');
  });

  it('note mode adds a note, never a text: the button says so and the segment meter is gone', () => {
    const { textarea, type, onSend, onNote } = renderComposer({ blockedReason: 'Ada opted out' });
    fireEvent.keyDown(document.body, { key: 'n' });
    expect(screen.getByRole('button', { name: 'Note' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.queryByTestId('segment-counter')).toBeNull();
    expect(textarea.disabled).toBe(false); // an opt-out stops texts, not notes
    type('Refund approved by @Ada');
    fireEvent.keyDown(textarea, { key: 'Enter' });
    expect(onNote).toHaveBeenCalledWith('Refund approved by @Ada');
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Add note' })).toBeTruthy();
  });

  it('n switches only while the box is empty, and not while typing in it', () => {
    const { textarea, type, counter } = renderComposer();
    fireEvent.keyDown(textarea, { key: 'n' });
    expect(counter()).toBeTruthy();
    type('draft reply');
    fireEvent.keyDown(document.body, { key: 'n' });
    expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy();
    type('');
    fireEvent.keyDown(document.body, { key: 'n' });
    expect(screen.getByRole('button', { name: 'Add note' })).toBeTruthy();
    fireEvent.keyDown(document.body, { key: 'n' });
    expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy();
  });

  it('a note longer than a text, switched back to a reply, keeps its words and says why Send is off', () => {
    const { textarea, type } = renderComposer();
    fireEvent.keyDown(document.body, { key: 'n' });
    type('a'.repeat(2_000));
    expect(screen.queryByTestId('limit-note')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Reply' }));
    expect(textarea.value).toHaveLength(2_000);
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('limit-note').textContent).toContain('Messages stop at 1,600 characters');
    fireEvent.click(screen.getByRole('button', { name: 'Note' }));
    expect(screen.queryByTestId('limit-note')).toBeNull();
  });
});
