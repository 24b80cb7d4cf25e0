// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api/api';
import type { CannedReply } from '../api/types';
import { CannedRepliesSettings } from './CannedRepliesSettings';

const session = vi.hoisted(() => ({ isAdmin: false }));

vi.mock('../api/api', () => ({
  listCannedReplies: vi.fn(),
  createCannedReply: vi.fn(),
  updateCannedReply: vi.fn(),
  deleteCannedReply: vi.fn(),
}));
vi.mock('../app/session', () => ({
  useSession: () => ({ me: { user: { id: 'me' } }, isAdmin: session.isAdmin }),
  useDirectory: () => ({ userById: (id: string) => ({ me: { name: 'Alan' }, other: { name: 'Grace' } })[id] }),
}));

const reply = (id: string, shortcut: string, createdBy: string): CannedReply => ({ id, shortcut, title: `Title ${shortcut}`, body: `Body ${shortcut}`, createdBy, updatedAt: '2026-12-01T10:00:00.000Z' });

describe('the canned replies settings', () => {
  beforeEach(() => {
    vi.mocked(api.listCannedReplies).mockResolvedValue({ items: [reply('r1', 'mine', 'me'), reply('r2', 'theirs', 'other')], nextCursor: null });
  });
  afterEach(() => {
    cleanup();
    vi.clearAllMocks();
    session.isAdmin = false;
  });

  it('lets an agent edit and delete their own replies only', async () => {
    render(<CannedRepliesSettings />);
    const items = await screen.findAllByTestId('canned-reply');
    expect(items.map((i) => i.textContent)).toEqual([expect.stringContaining('by Alan'), expect.stringContaining('by Grace')]);
    expect(within(items[0]!).getByRole('button', { name: 'Edit /mine' })).toBeTruthy();
    expect(within(items[1]!).queryByRole('button')).toBeNull();

    vi.mocked(api.updateCannedReply).mockResolvedValue(reply('r1', 'mine', 'me'));
    fireEvent.click(screen.getByRole('button', { name: 'Edit /mine' }));
    const form = screen.getByRole('form', { name: 'Edit /mine' });
    fireEvent.change(within(form).getByLabelText('Text'), { target: { value: '  Hi {{customer.firstName}}  ' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    await vi.waitFor(() => expect(api.updateCannedReply).toHaveBeenCalledWith('r1', { shortcut: 'mine', title: 'Title mine', body: 'Hi {{customer.firstName}}' }));
  });

  it("lets an admin edit and delete anyone's", async () => {
    session.isAdmin = true;
    render(<CannedRepliesSettings />);
    await screen.findAllByTestId('canned-reply');
    expect(screen.getByRole('button', { name: 'Edit /theirs' })).toBeTruthy();
    vi.mocked(api.deleteCannedReply).mockResolvedValue(undefined);
    fireEvent.click(screen.getByRole('button', { name: 'Delete /theirs' }));
    await vi.waitFor(() => expect(api.deleteCannedReply).toHaveBeenCalledWith('r2'));
  });

  it('adds a reply, its shortcut in lower case, and shows the server’s refusal', async () => {
    vi.mocked(api.createCannedReply).mockRejectedValue(new Error('shortcut: a canned reply with the shortcut "/mine" already exists'));
    render(<CannedRepliesSettings />);
    const form = await screen.findByRole('form', { name: 'Add a canned reply' });
    fireEvent.change(within(form).getByLabelText('Shortcut'), { target: { value: 'MINE' } });
    fireEvent.change(within(form).getByLabelText('Title'), { target: { value: 'Again' } });
    fireEvent.change(within(form).getByLabelText('Text'), { target: { value: 'Hello' } });
    expect(within(form).getByTestId('segment-counter').dataset.characters).toBe('5');
    fireEvent.click(within(form).getByRole('button', { name: 'Add canned reply' }));
    expect(await within(form).findByText(/already exists/)).toBeTruthy();
    expect(api.createCannedReply).toHaveBeenCalledWith({ shortcut: 'mine', title: 'Again', body: 'Hello' });
  });
});
