// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../api/api';
import { useThread } from '../conversation/useThread';
import { useInbox } from '../inbox/useInbox';
import { aConversation, aMessage } from '../test/factories';
import { FakeBroadcastChannel, FakeEventSource, FakeLocks, flush, resetFakes } from '../test/fakes';
import { startConnectedHub } from '../test/hub';
import { EventHub } from './eventHub';
import { LiveProvider } from './LiveProvider';

vi.mock('../api/api', () => ({
  listConversations: vi.fn(),
  listMessages: vi.fn(),
}));

const listConversations = vi.mocked(api.listConversations);
const listMessages = vi.mocked(api.listMessages);

function Inbox() {
  const inbox = useInbox('open', '', null, 'u1', null);
  return (
    <ul>
      {inbox.items.map((c) => (
        <li key={c.id} data-testid="row" data-unread={String(c.unread)}>
          {c.customer.name}: {c.preview}
        </li>
      ))}
    </ul>
  );
}

function Thread() {
  const thread = useThread('c1');
  return (
    <ol>
      {thread.messages.map((m) => (
        <li key={m.id} data-testid="message" data-status={m.status}>
          {m.body}
        </li>
      ))}
    </ol>
  );
}


describe('screens kept current by the shared stream', () => {
  beforeEach(() => {
    resetFakes();
    listConversations.mockReset();
    listMessages.mockReset();
  });
  afterEach(cleanup);

  it('the inbox shows new activity live and refetches after a reconnect', async () => {
    listConversations.mockResolvedValueOnce({ items: [aConversation({ id: 'c1', preview: 'first' })], nextCursor: null });
    const { hub, source } = await startConnectedHub();
    render(
      <LiveProvider hub={hub}>
        <Inbox />
      </LiveProvider>,
    );
    expect(await screen.findByText('Ada Lovelace: first')).toBeTruthy();

    act(() => source.send({ type: 'message.created', data: aMessage({ id: 'm2', body: 'are you there?', createdAt: '2025-03-03T12:00:00.000Z' }) }));
    expect(screen.getByText('Ada Lovelace: are you there?')).toBeTruthy();
    expect(screen.getByTestId('row').dataset.unread).toBe('true');
    expect(listConversations).toHaveBeenCalledTimes(1);

    // The connection drops; meanwhile another customer wrote. On reconnect the list is refetched.
    listConversations.mockResolvedValueOnce({
      items: [
        aConversation({ id: 'c9', customer: { id: 'cu9', name: 'Alan Turing', phone: '+441234567890' }, preview: 'hi', lastMessageAt: '2025-03-03T13:00:00.000Z' }),
        aConversation({ id: 'c1', preview: 'are you there?', lastMessageAt: '2025-03-03T12:00:00.000Z', unread: true }),
      ],
      nextCursor: null,
    });
    act(() => source.drop());
    act(() => source.connect());
    await waitFor(() => expect(screen.getAllByTestId('row')).toHaveLength(2));
    expect(listConversations).toHaveBeenCalledTimes(2);
    expect(screen.getAllByTestId('row').map((r) => r.textContent)).toEqual(['Alan Turing: hi', 'Ada Lovelace: are you there?']);
    hub.stop();
  });

  it('the open thread follows delivery status and refetches after the leader tab closes', async () => {
    listMessages.mockResolvedValueOnce({ items: [aMessage({ id: 'm1', direction: 'outbound', status: 'queued', body: 'On its way' })], nextCursor: null });
    const locks = new FakeLocks();
    const makeHub = () =>
      new EventHub({ url: '/api/events', createEventSource: (url) => new FakeEventSource(url), createChannel: (name) => new FakeBroadcastChannel(name), locks });
    // Another tab leads; this one listens over the channel.
    const leader = makeHub();
    leader.start();
    await act(() => flush());
    const source = FakeEventSource.open[0]!;
    act(() => source.connect());
    const hub = makeHub();
    hub.start();
    await act(() => flush());
    expect(hub.isLeader).toBe(false);
    render(
      <LiveProvider hub={hub}>
        <Thread />
      </LiveProvider>,
    );
    await screen.findByText('On its way');

    act(() => source.send({ type: 'message.updated', data: aMessage({ id: 'm1', direction: 'outbound', status: 'delivered', body: 'On its way' }) }));
    await act(() => flush());
    expect(screen.getByTestId('message').dataset.status).toBe('delivered');

    // A late "sent" callback never takes a message back from delivered.
    act(() => source.send({ type: 'message.updated', data: aMessage({ id: 'm1', direction: 'outbound', status: 'sent', body: 'On its way' }) }));
    await act(() => flush());
    expect(screen.getByTestId('message').dataset.status).toBe('delivered');

    // The leader tab closes; this tab takes the lock, opens its own stream and refetches.
    listMessages.mockResolvedValueOnce({
      items: [aMessage({ id: 'm1', direction: 'outbound', status: 'delivered', body: 'On its way' }), aMessage({ id: 'm3', body: 'Thanks!', createdAt: '2025-03-03T11:00:00.000Z' })],
      nextCursor: null,
    });
    leader.stop();
    await act(() => flush(10));
    expect(hub.isLeader).toBe(true);
    act(() => FakeEventSource.open.at(-1)!.connect());
    await waitFor(() => expect(screen.getAllByTestId('message')).toHaveLength(2));
    expect(listMessages).toHaveBeenCalledTimes(2);
    hub.stop();
  });
});
