/** In-memory stand-ins for EventSource, BroadcastChannel and Web Locks, for the event-hub tests. */
import type { StreamEvent } from '../../../src/features/events/app-event';
import type { ChannelLike, EventSourceLike, LocksLike } from '../live/eventHub';

export class FakeEventSource implements EventSourceLike {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  closed = false;
  onopen: ((event: Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent<string>) => void) | null = null;

  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }

  static get open(): FakeEventSource[] {
    return FakeEventSource.instances.filter((s) => !s.closed);
  }

  close() {
    this.closed = true;
    this.readyState = 2;
  }

  // --- driven by tests ---
  connect() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  /** A dropped connection the browser will retry by itself. */
  drop() {
    this.readyState = 0;
    this.onerror?.(new Event('error'));
  }

  /** A failure the browser gives up on (an HTTP error answer). */
  fail() {
    this.readyState = 2;
    this.onerror?.(new Event('error'));
  }

  /** One frame as the server writes it (`data:` only, no event name). */
  send(event: StreamEvent) {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(event) }));
  }
}

/** Like the browser's: delivers asynchronously to every other channel of the same name. */
export class FakeBroadcastChannel implements ChannelLike {
  static channels: FakeBroadcastChannel[] = [];
  onmessage: ((event: MessageEvent) => void) | null = null;
  private closed = false;

  constructor(readonly name: string) {
    FakeBroadcastChannel.channels.push(this);
  }

  postMessage(message: unknown) {
    if (this.closed) throw new Error('posted on a closed channel');
    const copy = structuredClone(message);
    for (const other of FakeBroadcastChannel.channels) {
      if (other !== this && other.name === this.name && !other.closed) {
        queueMicrotask(() => !other.closed && other.onmessage?.(new MessageEvent('message', { data: copy })));
      }
    }
  }

  close() {
    this.closed = true;
    FakeBroadcastChannel.channels = FakeBroadcastChannel.channels.filter((c) => c !== this);
  }
}

interface Waiter {
  callback: (lock: unknown) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Exclusive Web Locks: one holder per name, the rest wait in order; abort removes a waiter. */
export class FakeLocks implements LocksLike {
  private held = new Set<string>();
  private queues = new Map<string, Waiter[]>();
  /** Lets a test end a holder as if its tab had been closed. */
  private releasers = new Map<string, () => void>();

  request(name: string, options: { signal?: AbortSignal }, callback: (lock: unknown) => Promise<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { callback, resolve, reject };
      options.signal?.addEventListener('abort', () => {
        const queue = this.queues.get(name) ?? [];
        if (queue.includes(waiter)) {
          this.queues.set(name, queue.filter((w) => w !== waiter));
          reject(new DOMException('aborted', 'AbortError'));
        }
      });
      this.queues.set(name, [...(this.queues.get(name) ?? []), waiter]);
      this.grant(name);
    });
  }

  isHeld(name: string) {
    return this.held.has(name);
  }

  /** The holder's tab is gone: the browser releases its lock whatever its callback was doing. */
  crashHolder(name: string) {
    this.releasers.get(name)?.();
  }

  private grant(name: string) {
    if (this.held.has(name)) return;
    const queue = this.queues.get(name) ?? [];
    const next = queue.shift();
    if (!next) return;
    this.held.add(name);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.held.delete(name);
      this.releasers.delete(name);
      queueMicrotask(() => this.grant(name));
    };
    this.releasers.set(name, release);
    queueMicrotask(() => {
      Promise.resolve(next.callback({ name }))
        .then(next.resolve, next.reject)
        .finally(release);
    });
  }
}

export function resetFakes() {
  FakeEventSource.instances = [];
  FakeBroadcastChannel.channels = [];
}

/** Lets queued microtasks (channel deliveries, lock grants) run. */
export async function flush(times = 5) {
  for (let i = 0; i < times; i++) await Promise.resolve();
}
