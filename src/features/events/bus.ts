import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { AppEvent } from './app-event.js';
import { parseOncePerConnection } from '../../db/pg-statements.js';

export type Listener = (event: AppEvent) => void;

/**
 * What the event streams themselves must hear, never forwarded to browsers: `sessions.ended`
 * (a user's sessions were ended; their streams re-check theirs) goes to every server process;
 * `resync` (this process's listener reconnected and may have missed events) is raised locally.
 */
export type SessionsEnded = { type: 'sessions.ended'; userId: string };
export type StreamSignal = SessionsEnded | { type: 'resync' };

/**
 * Fan-out of committed changes to every server process. Publish only after the commit
 * the event is about, so no listener ever sees a change that was rolled back.
 */
export interface EventBus {
  publish(events: AppEvent | AppEvent[]): Promise<void>;
  subscribe(organizationId: string, listener: Listener): () => void;
  /** Tells the streams of every server process; send it after the commit it is about. */
  signal(signal: SessionsEnded): Promise<void>;
  onSignal(listener: (signal: StreamSignal) => void): () => void;
  close(): Promise<void>;
}

// A symbol cannot collide with an organization id used as an event name.
const SIGNALS = Symbol('stream signals');

class LocalHub {
  private readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(0);
  }
  deliver(event: AppEvent) {
    this.emitter.emit(event.organizationId, event);
  }
  subscribe(organizationId: string, listener: Listener) {
    this.emitter.on(organizationId, listener);
    return () => void this.emitter.off(organizationId, listener);
  }
  signal(signal: StreamSignal) {
    this.emitter.emit(SIGNALS, signal);
  }
  onSignal(listener: (signal: StreamSignal) => void) {
    this.emitter.on(SIGNALS, listener);
    return () => void this.emitter.off(SIGNALS, listener);
  }
}

/** SQLite means one process: an in-process emitter is the whole bus. */
export function createLocalBus(): EventBus {
  const hub = new LocalHub();
  return {
    async publish(events) {
      for (const e of [events].flat()) hub.deliver(e);
    },
    subscribe: (org, l) => hub.subscribe(org, l),
    async signal(signal) {
      hub.signal(signal);
    },
    onSignal: (l) => hub.onSignal(l),
    async close() {},
  };
}

const CHANNEL = 'parley_events';
const SIGNAL_CHANNEL = 'parley_stream_signals';
// NOTIFY payloads must stay under 8000 bytes.
const MAX_PAYLOAD = 7900;

export interface ListenerBackoff {
  firstRetryMs: number;
  maxRetryMs: number;
}

/** Quick after a blip, then at most every 30 s while the database is down. */
const DEFAULT_BACKOFF: ListenerBackoff = { firstRetryMs: 500, maxRetryMs: 30_000 };

/**
 * PostgreSQL: NOTIFY on publish and one LISTEN connection per process, so every web process
 * sees the events of every other. Even this process hears its own events through LISTEN,
 * keeping one delivery path. A lost listener reconnects with backoff for as long as it takes
 * (the process never ends over it); events NOTIFYed meanwhile are gone, so once it is back
 * every stream of this process is told to resync.
 */
export async function createPgBus(pool: Pick<pg.Pool, 'connect' | 'query'>, log: Logger, backoff: ListenerBackoff = DEFAULT_BACKOFF): Promise<EventBus> {
  const hub = new LocalHub();
  let closed = false;
  let client: pg.PoolClient | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let delay = backoff.firstRetryMs;

  const onNotification = (n: pg.Notification) => {
    if (!n.payload) return;
    try {
      if (n.channel === CHANNEL) hub.deliver(JSON.parse(n.payload) as AppEvent);
      else if (n.channel === SIGNAL_CHANNEL) hub.signal(JSON.parse(n.payload) as SessionsEnded);
    } catch (err) {
      log.error({ err }, 'bad event payload');
    }
  };

  const listen = async (): Promise<pg.PoolClient> => {
    const c = await pool.connect();
    // Attached at once: an error event with no listener would crash the process.
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c));
    c.on('notification', onNotification);
    try {
      await c.query(`LISTEN ${CHANNEL}`);
      await c.query(`LISTEN ${SIGNAL_CHANNEL}`);
      const { rows } = await c.query<{ pid: number }>('select pg_backend_pid() as pid');
      log.info({ backendPid: rows[0]?.pid }, 'event listener connected');
      return c;
    } catch (err) {
      c.release(true);
      throw err;
    }
  };

  function lost(c: pg.PoolClient, err?: Error) {
    if (c !== client) return;
    client = null;
    c.release(true);
    if (closed) return;
    log.warn({ err }, 'event listener connection lost; reconnecting');
    scheduleReconnect();
  }

  function scheduleReconnect() {
    const wait = delay * (0.75 + Math.random() / 2);
    delay = Math.min(delay * 2, backoff.maxRetryMs);
    retryTimer = setTimeout(() => void reconnect(), wait);
    // An HTTP server or job runner keeps the process alive; a retry alone need not.
    retryTimer.unref();
  }

  async function reconnect() {
    retryTimer = null;
    if (closed) return;
    try {
      const c = await listen();
      if (closed) return void c.release(true);
      client = c;
      delay = backoff.firstRetryMs;
      hub.signal({ type: 'resync' });
    } catch (err) {
      log.error({ err, retryInMs: delay }, 'event listener reconnect failed; retrying');
      scheduleReconnect();
    }
  }

  client = await listen();

  const notify = batchedNotify(pool);

  return {
    async publish(events) {
      const sent: Promise<void>[] = [];
      for (const e of [events].flat()) {
        let payload = JSON.stringify(e);
        // An oversized object travels as a reference; clients refetch it by id.
        if (Buffer.byteLength(payload) > MAX_PAYLOAD) {
          const { id, conversationId, customerId } = e.data as Record<string, unknown>;
          payload = JSON.stringify({ ...e, data: { id, conversationId, customerId, partial: true } });
        }
        sent.push(notify(CHANNEL, payload));
      }
      await Promise.all(sent);
    },
    subscribe: (org, l) => hub.subscribe(org, l),
    async signal(signal) {
      await notify(SIGNAL_CHANNEL, JSON.stringify(signal));
    },
    onSignal: (l) => hub.onSignal(l),
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const c = client;
      client = null;
      c?.release(true);
    },
  };
}

interface Notification {
  channel: string;
  payload: string;
  resolve(): void;
  reject(err: unknown): void;
}

/** Notifications in one statement at most; a payload is under 8000 bytes. */
const MAX_NOTIFICATIONS = 256;

/**
 * Channels and payloads each come as one text, a line apiece: JSON.stringify escapes every control
 * character, so a payload never holds a newline, and one text costs `pg` nothing to send, where a
 * text[] parameter has it quote and escape every payload (the largest allocation of an inbound text).
 */
const NOTIFY_SQL =
  "select pg_notify(n.channel, n.payload) from unnest(string_to_array($1, E'\\n'), string_to_array($2, E'\\n')) with ordinality as n(channel, payload, position) order by n.position";
parseOncePerConnection(NOTIFY_SQL);

/**
 * NOTIFY outside a transaction is a transaction of its own: a commit (a WAL flush) taken under
 * the database's single notification-queue lock. Sent one by one, every published event paid
 * that, and every publisher queued on the lock. Instead, what is published while a statement is
 * in flight goes out together in the next one, in the order it was published (PostgreSQL
 * delivers a transaction's notifications in the order they were sent). The first statement
 * waits for the end of the event loop's turn, so what a batch's webhooks publish as its commit
 * answers them, each a message's and its conversation's events, goes as one.
 */
function batchedNotify(pool: Pick<pg.Pool, 'query'>): (channel: string, payload: string) => Promise<void> {
  let queue: Notification[] = [];
  let sending = false;
  const send = async () => {
    while (queue.length > 0) {
      const batch = queue.slice(0, MAX_NOTIFICATIONS);
      queue = queue.slice(batch.length);
      try {
        await pool.query(NOTIFY_SQL, [batch.map((n) => n.channel).join('\n'), batch.map((n) => n.payload).join('\n')]);
        for (const n of batch) n.resolve();
      } catch (err) {
        for (const n of batch) n.reject(err);
      }
    }
    sending = false;
  };
  return (channel, payload) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ channel, payload, resolve, reject });
      if (sending) return;
      sending = true;
      setImmediate(() => void send());
    });
}
