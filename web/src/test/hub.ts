import { act } from '@testing-library/react';
import { EventHub } from '../live/eventHub';
import { FakeBroadcastChannel, FakeEventSource, FakeLocks, flush } from './fakes';

/** An event hub on the fakes, started, its stream open: `source` emits what the server would. */
export async function startConnectedHub() {
  const hub = new EventHub({
    url: '/api/events',
    createEventSource: (url) => new FakeEventSource(url),
    createChannel: (name) => new FakeBroadcastChannel(name),
    locks: new FakeLocks(),
  });
  hub.start();
  await act(() => flush());
  const source = FakeEventSource.open[0]!;
  act(() => source.connect());
  return { hub, source };
}
