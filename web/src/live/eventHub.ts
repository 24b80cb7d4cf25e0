/**
 * One Server-Sent Events stream per browser, shared by all its tabs (browsers allow only six
 * connections to a site). The tab holding the Web Lock `parley-events` is the leader: it opens
 * the EventSource and rebroadcasts every event over `BroadcastChannel('parley-events')`; the
 * other tabs wait for the lock and listen. When the leader closes, the browser hands the lock to
 * another tab, which opens a new stream.
 *
 * Every time a stream opens it gets a fresh id. A tab that sees a new stream id after having seen
 * another one may have missed events (a dropped connection, a new leader): it is told to resync,
 * that is to refetch what it shows.
 */
import type { StreamEvent } from '../../../src/features/events/app-event';
import { parseEvent, type LiveEvent } from './applyEvent';

export const LOCK_NAME = 'parley-events';
export const CHANNEL_NAME = 'parley-events';
const CLOSED = 2;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onerror: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent<string>) => void) | null;
  close(): void;
}

export interface ChannelLike {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

export interface LocksLike {
  request(name: string, options: { signal?: AbortSignal }, callback: (lock: unknown) => Promise<unknown>): Promise<unknown>;
}

export interface HubDeps {
  url: string;
  createEventSource(url: string): EventSourceLike;
  /** Null when the browser has no BroadcastChannel: the tab then keeps its own stream. */
  createChannel?: ((name: string) => ChannelLike) | null;
  /** Null when the browser has no Web Locks: every tab leads its own stream. */
  locks?: LocksLike | null;
  random?: () => number;
}

export type LiveStatus = 'stopped' | 'connecting' | 'live' | 'reconnecting';

export type HubSignal = { kind: 'event'; event: LiveEvent } | { kind: 'status'; status: LiveStatus } | { kind: 'resync' };

type Wire =
  | { kind: 'event'; event: LiveEvent }
  | { kind: 'status'; status: Exclude<LiveStatus, 'stopped'>; streamId: string | null }
  | { kind: 'hello' }
  | { kind: 'resync' };

/** The server's `resync` event: it may have missed events (its database listener reconnected). */
const isResync = (raw: string) => (JSON.parse(raw) as StreamEvent).type === 'resync';

export class EventHub {
  private readonly listeners = new Set<(signal: HubSignal) => void>();
  private channel: ChannelLike | null = null;
  private source: EventSourceLike | null = null;
  private abort: AbortController | null = null;
  private releaseLock: (() => void) | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryDelay = FIRST_RETRY_MS;
  private generation = 0;
  private leader = false;
  private status: LiveStatus = 'stopped';
  private streamId: string | null = null;
  /** The last stream this tab saw live; a different one later means events may be missing. */
  private seenStreamId: string | null = null;

  constructor(private readonly deps: HubDeps) {}

  get isLeader() {
    return this.leader;
  }

  getStatus = (): LiveStatus => this.status;

  subscribe = (listener: (signal: HubSignal) => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  start() {
    if (this.status !== 'stopped') return;
    const generation = ++this.generation;
    this.setStatus('connecting');
    this.channel = this.deps.createChannel?.(CHANNEL_NAME) ?? null;
    if (this.channel) this.channel.onmessage = (event) => this.fromChannel(event.data as Wire);

    const locks = this.deps.locks;
    if (!locks || !this.channel) {
      this.becomeLeader();
      return;
    }
    this.abort = new AbortController();
    locks
      .request(LOCK_NAME, { signal: this.abort.signal }, () => {
        if (generation !== this.generation) return Promise.resolve();
        return new Promise<void>((release) => {
          this.releaseLock = release;
          this.becomeLeader();
        });
      })
      .catch(() => {
        // Aborted by stop() while waiting for the lock: nothing to do.
      });
    this.channel.postMessage({ kind: 'hello' } satisfies Wire);
  }

  stop() {
    if (this.status === 'stopped') return;
    this.generation++;
    this.abort?.abort();
    this.abort = null;
    if (this.leader) {
      // Tell the others the stream is gone; one of them takes the lock next.
      this.channel?.postMessage({ kind: 'status', status: 'reconnecting', streamId: null } satisfies Wire);
    }
    this.closeSource();
    this.leader = false;
    this.releaseLock?.();
    this.releaseLock = null;
    this.channel?.close();
    this.channel = null;
    this.streamId = null;
    this.seenStreamId = null;
    this.setStatus('stopped');
  }

  private becomeLeader() {
    this.leader = true;
    this.announce({ kind: 'status', status: 'connecting', streamId: null });
    this.openSource();
  }

  private openSource() {
    const source = this.deps.createEventSource(this.deps.url);
    this.source = source;
    source.onopen = () => {
      if (this.source !== source) return;
      this.retryDelay = FIRST_RETRY_MS;
      this.streamId = this.newStreamId();
      this.announce({ kind: 'status', status: 'live', streamId: this.streamId });
    };
    source.onerror = () => {
      if (this.source !== source) return;
      this.streamId = null;
      // The browser retries by itself unless it gave up (CLOSED, e.g. after an HTTP error).
      if (source.readyState === CLOSED) {
        this.closeSource();
        this.scheduleReopen();
      }
      this.announce({ kind: 'status', status: 'reconnecting', streamId: null });
    };
    // The server sends every event unnamed, so onmessage receives them all.
    source.onmessage = (message) => {
      if (this.source !== source) return;
      if (isResync(message.data)) return this.announce({ kind: 'resync' });
      const event = parseEvent(message.data);
      if (event) this.announce({ kind: 'event', event });
    };
  }

  private scheduleReopen() {
    const random = this.deps.random ?? Math.random;
    const delay = this.retryDelay * (0.75 + random() / 2);
    this.retryDelay = Math.min(this.retryDelay * 2, MAX_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.leader && !this.source) this.openSource();
    }, delay);
  }

  private closeSource() {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.source?.close();
    this.source = null;
  }

  private newStreamId() {
    const random = this.deps.random ?? Math.random;
    return `${Date.now().toString(36)}-${Math.floor(random() * 1e9).toString(36)}`;
  }

  /** The leader's news goes to the other tabs and to this one. */
  private announce(wire: Wire) {
    this.channel?.postMessage(wire);
    this.receive(wire);
  }

  private fromChannel(wire: Wire) {
    if (this.status === 'stopped') return;
    if (wire.kind === 'hello') {
      if (this.leader && this.status !== 'connecting') {
        this.channel?.postMessage({ kind: 'status', status: this.status, streamId: this.streamId } as Wire);
      }
      return;
    }
    // Only the leader's stream counts; a leader ignores echoes from a tab that led before.
    if (!this.leader) this.receive(wire);
  }

  private receive(wire: Wire) {
    if (wire.kind === 'event' || wire.kind === 'resync') {
      this.emit(wire);
      return;
    }
    if (wire.kind !== 'status') return;
    let resync = false;
    if (wire.status === 'live' && wire.streamId) {
      resync = this.seenStreamId !== null && this.seenStreamId !== wire.streamId;
      this.seenStreamId = wire.streamId;
    }
    this.setStatus(wire.status);
    if (resync) this.emit({ kind: 'resync' });
  }

  private setStatus(status: LiveStatus) {
    if (this.status === status) return;
    this.status = status;
    this.emit({ kind: 'status', status });
  }

  private emit(signal: HubSignal) {
    for (const listener of [...this.listeners]) listener(signal);
  }
}

/** The hub wired to the browser's own EventSource, BroadcastChannel and Web Locks. */
export function createBrowserHub(url: string): EventHub {
  const hasChannel = typeof BroadcastChannel !== 'undefined';
  const locks = typeof navigator !== 'undefined' && 'locks' in navigator ? (navigator.locks as unknown as LocksLike) : null;
  return new EventHub({
    url,
    createEventSource: (u) => new EventSource(u),
    createChannel: hasChannel ? (name) => new BroadcastChannel(name) : null,
    locks,
  });
}
