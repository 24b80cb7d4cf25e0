// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mentionedUserIds } from '../../../src/domain/mentions';
import type { CannedReply } from '../api/types';
import { Composer, type ComposerProps } from './Composer';

let conversation = 0;

const reply = (shortcut: string, title: string, body: string): CannedReply => ({ id: `r-${shortcut}`, shortcut, title, body, createdBy: 'u1', updatedAt: '2026-12-01T10:00:00.000Z' });

const REPLIES = [
  reply('hours', 'Opening hours', 'We open at 9, {{customer.firstName}}.'),
  reply('refund', 'Refund policy', 'Hi {{customer.firstName}}, refunds take 5 days. {{agent.firstName}}'),
  reply('thanks', 'Thank you 🙏', 'Thanks {{customer.firstName}} 🙏'),
];
const PEOPLE = [
  { id: 'u1', name: 'Ada Admin' },
  { id: 'u2', name: 'Alan Turing' },
  { id: 'u3', name: 'Grace Hopper' },
];

function renderComposer(props: Partial<ComposerProps> = {}) {
  const onSend = vi.fn(async () => {});
  const onNote = vi.fn(async () => {});
  render(
    <Composer
      conversationId={`picker-${++conversation}`}
      recipient="Ada"
      blockedReason={null}
      onSend={onSend}
      onNote={onNote}
      cannedReplies={REPLIES}
      people={{ customer: { name: 'Grace Hopper' }, agent: { name: 'Alan Turing' } }}
      mentionable={PEOPLE}
      {...props}
    />,
  );
  const textarea = () => screen.getByRole('textbox') as HTMLTextAreaElement;
  const type = (value: string) => fireEvent.change(textarea(), { target: { value } });
  const key = (k: string) => fireEvent.keyDown(textarea(), { key: k });
  const options = () => within(screen.getByRole('listbox')).getAllByRole('option');
  return { textarea, type, key, options, onSend, onNote };
}

describe('the / picker of canned replies', () => {
  afterEach(cleanup);

  it('opens on / at the start, lists each reply filled for this customer and agent, with its count', () => {
    const { type, options, textarea } = renderComposer();
    expect(screen.queryByRole('listbox')).toBeNull();
    type('/');
    expect(screen.getByRole('listbox', { name: 'Canned replies' })).toBeTruthy();
    expect(options().map((o) => o.textContent)).toEqual([
      '/hours Opening hoursWe open at 9, Grace.20 chars · 1 segment · GSM-7',
      '/refund Refund policyHi Grace, refunds take 5 days. Alan35 chars · 1 segment · GSM-7',
      '/thanks Thank you 🙏Thanks Grace 🙏14 chars · 1 segment · UCS-2',
    ]);
    expect(options()[0]!.getAttribute('aria-selected')).toBe('true');
    expect(textarea().getAttribute('aria-activedescendant')).toBe(options()[0]!.id);
  });

  it('searches shortcuts and titles; arrows and Enter insert the filled reply, which the meter counts', () => {
    const { type, key, options, textarea, onSend } = renderComposer();
    type('/re');
    expect(options().map((o) => o.id)).toHaveLength(1);
    type('/o');
    // shortcuts starting with the query first, then those containing it in the shortcut or title
    expect(options().map((o) => o.textContent!.split(' ')[0])).toEqual(['/hours', '/refund', '/thanks']);
    key('ArrowDown');
    expect(textarea().getAttribute('aria-activedescendant')).toBe(options()[1]!.id);
    key('ArrowUp');
    key('ArrowUp'); // wraps round to the last
    expect(options()[2]!.getAttribute('aria-selected')).toBe('true');
    key('ArrowDown');
    key('ArrowDown');
    key('Enter');
    expect(textarea().value).toBe('Hi Grace, refunds take 5 days. Alan');
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(screen.getByTestId('segment-counter').dataset).toMatchObject({ characters: '35', segments: '1', encoding: 'GSM-7' });
  });

  it('leaves no trace of a missing name', () => {
    const { type, key, textarea } = renderComposer({ people: { customer: { name: null }, agent: { name: 'Alan Turing' } } });
    type('/refund');
    key('Enter');
    expect(textarea().value).toBe('Hi, refunds take 5 days. Alan');
  });

  it('opens after white space, replacing only the /shortcut; not inside a word or a link', () => {
    const { type, key, textarea } = renderComposer();
    type('and/or');
    expect(screen.queryByRole('listbox')).toBeNull();
    type('see https://example.com/');
    expect(screen.queryByRole('listbox')).toBeNull();
    type('Hello!\n/hou');
    key('Tab');
    expect(textarea().value).toBe('Hello!\nWe open at 9, Grace.');
  });

  it('Escape closes it and keeps what was typed; Enter then sends', () => {
    const { type, key, textarea, onSend } = renderComposer();
    type('/hours');
    key('Escape');
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(textarea().value).toBe('/hours');
    type('/hour');
    expect(screen.queryByRole('listbox')).toBeNull();
    type('/hours');
    key('Enter');
    expect(onSend).toHaveBeenCalledWith('/hours', []);
  });

  it('a click inserts too; nothing matching shows no list; note mode has no / picker', () => {
    const { type, options, textarea } = renderComposer();
    type('/zzz');
    expect(screen.queryByRole('listbox')).toBeNull();
    type('/th');
    fireEvent.click(options()[0]!);
    expect(textarea().value).toBe('Thanks Grace 🙏');
    cleanup();
    const note = renderComposer();
    fireEvent.click(screen.getByRole('button', { name: 'Note' }));
    note.type('/');
    expect(screen.queryByRole('listbox')).toBeNull();
  });

  it('asks for the replies again each time it opens', () => {
    const onCannedOpen = vi.fn();
    const { type } = renderComposer({ onCannedOpen });
    type('/');
    type('/h');
    expect(onCannedOpen).toHaveBeenCalledTimes(1);
    type('');
    type('/');
    expect(onCannedOpen).toHaveBeenCalledTimes(2);
    cleanup();
    // With none loaded yet (or none matching), a new `/` still asks.
    const empty = vi.fn();
    renderComposer({ cannedReplies: [], onCannedOpen: empty }).type('/');
    expect(empty).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('listbox')).toBeNull();
  });
});

describe('the @ picker of people, in note mode', () => {
  afterEach(cleanup);

  it('lists active users by name or a word of it, and inserts a mention the server reads', () => {
    const { type, key, options, textarea, onNote } = renderComposer();
    fireEvent.click(screen.getByRole('button', { name: 'Note' }));
    type('Over to @');
    expect(screen.getByRole('listbox', { name: 'Mention someone' })).toBeTruthy();
    expect(options().map((o) => o.textContent)).toEqual(['Ada Admin', 'Alan Turing', 'Grace Hopper']);
    type('Over to @tu');
    expect(options().map((o) => o.textContent)).toEqual(['Alan Turing']);
    key('Enter');
    expect(textarea().value).toBe('Over to @Alan Turing ');
    expect(onNote).not.toHaveBeenCalled();
    expect(mentionedUserIds(textarea().value, PEOPLE)).toEqual(['u2']);
    key('Enter');
    expect(onNote).toHaveBeenCalledWith('Over to @Alan Turing ');
  });

  it('does not open in an email address, nor in reply mode', () => {
    const { type } = renderComposer();
    type('@Ada');
    expect(screen.queryByRole('listbox')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Note' }));
    type('write to ada@acme.test');
    expect(screen.queryByRole('listbox')).toBeNull();
  });
});

describe('the note length', () => {
  afterEach(cleanup);

  it('is 10,000 characters in note mode, 1,600 for a reply', () => {
    const { type, textarea } = renderComposer();
    fireEvent.click(screen.getByRole('button', { name: 'Note' }));
    type('a'.repeat(5000));
    expect(textarea().value).toHaveLength(5000);
    expect(screen.queryByTestId('limit-note')).toBeNull();
    type('a'.repeat(10_050));
    expect(textarea().value).toHaveLength(10_000);
    expect(screen.getByTestId('limit-note').textContent).toContain('10,000 characters');
    fireEvent.click(screen.getByRole('button', { name: 'Reply' }));
    type('b'.repeat(1700));
    expect(textarea().value).toHaveLength(1600);
  });
});
