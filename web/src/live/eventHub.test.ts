// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { aMessage } from '../test/factories';
import { FakeBroadcastChannel, FakeEventSource, FakeLocks, flush, resetFakes } from '../test/fakes';
import { EventHub, type HubSignal } from './eventHub';

const message = (id: string) => aMessage({ id });

/** A browser tab: its own hub, and what it has seen. */
function tab(locks: FakeLocks | null, channel = true) {
  const hub = new EventHub({
    url: '/api/events',
    createEventSource: (url) => new FakeEventSource(url),
    createChannel: channel ? (name) => new FakeBroadcastChannel(name) : null,
    locks,
  });
  const signals: HubSignal[] = [];
  hub.subscribe((s) => signals.push(s));
  return {
    hub,
    signals,
    events: () => signals.flatMap((s) => (s.kind === 'event' ? [s.event] : [])),
    resyncs: () => signals.filter((s) => s.kind === 'resync').length,
  };
}

describe('EventHub', () => {
  beforeEach(resetFakes);
  afterEach(() => vi.useRealTimers());

  it('opens one stream for all tabs: the leader relays to the others', async () => {
    const locks = new FakeLocks();
    const a = tab(locks);
    const b = tab(locks);
    const c = tab(locks);
    a.hub.start();
    b.hub.start();
    c.hub.start();
    await flush();

    expect(FakeEventSource.open).toHaveLength(1);
    expect(a.hub.isLeader).toBe(true);
    expect(b.hub.isLeader).toBe(false);
    const source = FakeEventSource.open[0]!;
    expect(source.url).toBe('/api/events');

    source.connect();
    await flush();
    for (const t of [a, b, c]) expect(t.hub.getStatus()).toBe('live');

    source.send({ type: 'message.created', data: message('m1') });
    await flush();
    for (const t of [a, b, c]) {
      expect(t.events()).toHaveLength(1);
      expect(t.events()[0]).toMatchObject({ type: 'message.created', partial: false, data: { id: 'm1' } });
    }
    expect(a.resyncs() + b.resyncs() + c.resyncs()).toBe(0);
  });

  it('after a dropped connection reconnects, every tab is told to refetch', async () => {
    const locks = new FakeLocks();
    const a = tab(locks);
    const b = tab(locks);
    a.hub.start();
    b.hub.start();
    await flush();
    const source = FakeEventSource.open[0]!;
    source.connect();
    await flush();

    source.drop();
    await flush();
    expect(a.hub.getStatus()).toBe('reconnecting');
    expect(b.hub.getStatus()).toBe('reconnecting');
    expect(a.resyncs()).toBe(0);

    source.connect(); // the browser's own retry succeeded
    await flush();
    expect(a.hub.getStatus()).toBe('live');
    expect(b.hub.getStatus()).toBe('live');
    expect(a.resyncs()).toBe(1);
    expect(b.resyncs()).toBe(1);
    expect(FakeEventSource.open).toHaveLength(1);
  });

  it("tells every tab to refetch on the server's resync event, which is not an event to apply", async () => {
    const locks = new FakeLocks();
    const a = tab(locks);
    const b = tab(locks);
    a.hub.start();
    b.hub.start();
    await flush();
    const source = FakeEventSource.open[0]!;
    source.connect();
    await flush();

    source.send({ type: 'resync', data: {} });
    await flush();
    expect(a.resyncs()).toBe(1);
    expect(b.resyncs()).toBe(1);
    expect(a.events()).toHaveLength(0);
    expect(b.events()).toHaveLength(0);
    expect(a.hub.getStatus()).toBe('live');
  });

  it('reopens a stream the browser gave up on, with backoff, then resyncs', async () => {
    vi.useFakeTimers();
    const a = tab(null, false);
    a.hub.start();
    const first = FakeEventSource.open[0]!;
    first.connect();

    first.fail();
    expect(first.closed).toBe(true);
    expect(FakeEventSource.open).toHaveLength(0);
    expect(a.hub.getStatus()).toBe('reconnecting');

    vi.advanceTimersByTime(2000);
    expect(FakeEventSource.open).toHaveLength(1);
    const second = FakeEventSource.open[0]!;
    second.fail();
    vi.advanceTimersByTime(1000);
    expect(FakeEventSource.open).toHaveLength(0); // the second wait is longer
    vi.advanceTimersByTime(2000);
    const third = FakeEventSource.open[0]!;
    third.connect();
    expect(a.hub.getStatus()).toBe('live');
    expect(a.resyncs()).toBe(1);
  });

  it('hands the stream to another tab when the leader closes, and that tab resyncs', async () => {
    const locks = new FakeLocks();
    const a = tab(locks);
    const b = tab(locks);
    a.hub.start();
    b.hub.start();
    await flush();
    const firstSource = FakeEventSource.open[0]!;
    firstSource.connect();
    await flush();

    a.hub.stop();
    await flush(10);
    expect(firstSource.closed).toBe(true);
    expect(b.hub.isLeader).toBe(true);
    expect(FakeEventSource.open).toHaveLength(1);
    expect(b.hub.getStatus()).not.toBe('live');

    const secondSource = FakeEventSource.open[0]!;
    secondSource.connect();
    await flush();
    expect(b.hub.getStatus()).toBe('live');
    expect(b.resyncs()).toBe(1);

    secondSource.send({ type: 'message.created', data: message('m2') });
    expect(b.events().map((e) => (e.partial ? null : e.data.id))).toEqual(['m2']);
  });

  it('takes over when the leader tab dies without a goodbye', async () => {
    const locks = new FakeLocks();
    const a = tab(locks);
    const b = tab(locks);
    const c = tab(locks);
    for (const t of [a, b, c]) t.hub.start();
    await flush();
    FakeEventSource.open[0]!.connect();
    await flush();

    locks.crashHolder('parley-events');
    await flush(10);
    expect(b.hub.isLeader).toBe(true);
    const next = FakeEventSource.instances[1]!;
    next.connect();
    await flush();
    expect(b.resyncs()).toBe(1);
    expect(c.resyncs()).toBe(1);
    expect(c.hub.getStatus()).toBe('live');
  });

  it('a tab opened later learns the stream is live without refetching', async () => {
    const locks = new FakeLocks();
    const a = tab(locks);
    a.hub.start();
    await flush();
    FakeEventSource.open[0]!.connect();

    const late = tab(locks);
    late.hub.start();
    await flush();
    expect(late.hub.getStatus()).toBe('live');
    expect(late.resyncs()).toBe(0);
    expect(FakeEventSource.open).toHaveLength(1);
  });

  it('without Web Locks every tab keeps its own stream', async () => {
    const a = tab(null);
    const b = tab(null);
    a.hub.start();
    b.hub.start();
    expect(FakeEventSource.open).toHaveLength(2);
    a.hub.stop();
    b.hub.stop();
    expect(FakeEventSource.open).toHaveLength(0);
  });

  it('can stop and start again (React StrictMode mounts twice)', async () => {
    const locks = new FakeLocks();
    const a = tab(locks);
    a.hub.start();
    a.hub.stop();
    a.hub.start();
    await flush(10);
    expect(FakeEventSource.open).toHaveLength(1);
    expect(a.hub.isLeader).toBe(true);
    a.hub.stop();
    await flush(10);
    expect(locks.isHeld('parley-events')).toBe(false);
  });
});
