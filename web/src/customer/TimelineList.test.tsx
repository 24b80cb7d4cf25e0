// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { ComponentProps } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api/api';
import type { Timeline } from '../api/types';
import { StaticSession } from '../app/session';
import { LiveProvider } from '../live/LiveProvider';
import { aConversation, aCustomer, aMessage, aSender, aTimelineConversation, aUser } from '../test/factories';
import { resetFakes } from '../test/fakes';
import { startConnectedHub } from '../test/hub';
import { TimelineList } from './TimelineList';

vi.mock('../api/api', () => ({ getTimeline: vi.fn(), listMessages: vi.fn() }));
const getTimeline = vi.mocked(api.getTimeline);
const listMessages = vi.mocked(api.listMessages);

type SessionProps = ComponentProps<typeof StaticSession>;
const session: SessionProps['session'] = {
  me: { user: aUser(), organization: { id: 'o1', name: 'Acme', threadingWindowHours: 24, businessHours: null, awayMessage: null } },
  isAdmin: false,
  setOrganization: () => {},
  logout: async () => {},
};
const directory: SessionProps['directory'] = {
  users: [aUser()],
  senders: [aSender()],
  userById: (id) => (id === 'u1' ? aUser() : undefined),
  senderById: (id) => (id === 's1' ? aSender() : undefined),
  reload: () => {},
};

const timelineOf = (...messages: ReturnType<typeof aMessage>[]): Timeline => ({
  customer: aCustomer(),
  conversations: [aTimelineConversation({ id: 'c1' }, messages)],
  nextCursor: null,
  optOutChanges: [],
});
const reply = aMessage({ id: 'm2', direction: 'outbound', status: 'pending', body: 'We open at 10', authorId: 'u1', createdAt: '2025-03-03T10:05:00.000Z' });

async function renderTimeline(first: Timeline) {
  return renderTimelinePage(first, /^1 message/);
}

async function renderTimelinePage(first: Timeline, shown: RegExp) {
  getTimeline.mockResolvedValueOnce(first);
  const { hub, source } = await startConnectedHub();
  render(
    <StaticSession session={session} directory={directory}>
      <LiveProvider hub={hub}>
        <TimelineList customerId="cu1" currentId="c1" view="open" />
      </LiveProvider>
    </StaticSession>,
  );
  await screen.findByText(shown);
  return { hub, source };
}

/** "N messages" of each conversation, in the order shown. */
const counts = () => Array.from(document.querySelectorAll('.timeline-item > p')).map((p) => p.textContent!.split(' · ')[0]);

describe('the customer timeline', () => {
  beforeEach(() => {
    resetFakes();
    getTimeline.mockReset();
    listMessages.mockReset();
  });
  afterEach(cleanup);

  it('shows a reply and a new conversation as they happen, without a reload', async () => {
    const { hub, source } = await renderTimeline(timelineOf(aMessage()));

    act(() => source.send({ type: 'message.created', data: reply }));
    expect(counts()).toEqual(['2 messages']);
    expect(screen.getByText('We open at 10')).toBeTruthy();
    act(() => source.send({ type: 'message.updated', data: { ...reply, status: 'sent' } }));
    act(() => source.send({ type: 'message.created', data: aMessage({ id: 'm9', conversationId: 'c9' }) }));
    expect(counts()).toEqual(['2 messages']);

    act(() => source.send({ type: 'conversation.created', data: aConversation({ id: 'c3', createdAt: '2025-03-04T09:00:00.000Z' }) }));
    act(() => source.send({ type: 'message.created', data: aMessage({ id: 'm3', conversationId: 'c3', body: 'New order', createdAt: '2025-03-04T09:00:00.000Z' }) }));
    expect(counts()).toEqual(['1 message', '2 messages']);
    expect(screen.getByText('New order')).toBeTruthy();
    expect(getTimeline).toHaveBeenCalledTimes(1);
    hub.stop();
  });

  it('refetches for a partial event and after a reconnect, keeping what arrived while it asked', async () => {
    const { hub, source } = await renderTimeline(timelineOf(aMessage()));

    let answer: (timeline: Timeline) => void = () => {};
    getTimeline.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    act(() => source.send({ type: 'message.updated', data: { id: 'm1', conversationId: 'c1', partial: true } }));
    expect(getTimeline).toHaveBeenCalledTimes(2);
    // The reply's event lands before the answer, which was read before the reply was stored.
    act(() => source.send({ type: 'message.created', data: reply }));
    await act(async () => answer(timelineOf(aMessage())));
    expect(counts()).toEqual(['2 messages']);

    getTimeline.mockResolvedValueOnce(timelineOf(aMessage(), { ...reply, status: 'delivered' }, aMessage({ id: 'm4', createdAt: '2025-03-03T10:30:00.000Z' })));
    act(() => source.drop());
    act(() => source.connect());
    expect(await screen.findByText(/^3 messages/)).toBeTruthy();
    expect(getTimeline).toHaveBeenCalledTimes(3);
    hub.stop();
  });

  it('loads older conversations and a conversation’s earlier messages when asked, a page at a time', async () => {
    const first: Timeline = {
      customer: aCustomer(),
      conversations: [aTimelineConversation({ id: 'c1' }, [aMessage({ id: 'm9', body: 'Latest words' })], { messageCount: 7, messagesCursor: 'before-m9' })],
      nextCursor: 'after-c1',
      optOutChanges: [],
    };
    const { hub } = await renderTimelinePage(first, /^7 messages/);
    getTimeline.mockResolvedValueOnce({ customer: aCustomer(), conversations: [aTimelineConversation({ id: 'c0', createdAt: '2025-01-01T00:00:00.000Z' }, [aMessage({ id: 'm1', conversationId: 'c0' })])], nextCursor: null, optOutChanges: [] });
    fireEvent.click(screen.getByRole('button', { name: 'Show older conversations' }));
    expect(await screen.findByText(/^1 message/)).toBeTruthy();
    expect(getTimeline).toHaveBeenLastCalledWith('cu1', 'after-c1');
    expect(screen.queryByRole('button', { name: 'Show older conversations' })).toBeNull();

    listMessages.mockResolvedValueOnce({ items: [aMessage({ id: 'm8', body: 'Earlier words', createdAt: '2025-03-03T09:00:00.000Z' })], nextCursor: null });
    fireEvent.click(screen.getAllByRole('button', { name: 'Show earlier messages' })[0]!);
    expect(await screen.findByText('Earlier words')).toBeTruthy();
    expect(listMessages).toHaveBeenCalledWith('c1', 'before-m9');
    expect(screen.queryByRole('button', { name: 'Show earlier messages' })).toBeNull();
    hub.stop();
  });
});
