import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { Logger } from 'pino';

export type EventType = 'message.created' | 'message.updated' | 'conversation.created' | 'conversation.updated' | 'customer.updated';

export interface AppEvent {
  type: EventType;
  organizationId: string;
  /** The presented object (SPEC §7 shapes), exactly as the API would return it. */
  data: Record<string, unknown>;
}

export type Listener = (event: AppEvent) => void;

/**
 * Fan-out of committed changes to every server process. Publish only after the commit
 * the event is about, so no listener ever sees a change that was rolled back.
 */
export interface EventBus {
  publish(events: AppEvent | AppEvent[]): Promise<void>;
  subscribe(organizationId: string, listener: Listener): () => void;
  close(): Promise<void>;
}

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
}

/** SQLite means one process: an in-process emitter is the whole bus. */
export function createLocalBus(): EventBus {
  const hub = new LocalHub();
  return {
    async publish(events) {
      for (const e of [events].flat()) hub.deliver(e);
    },
    subscribe: (org, l) => hub.subscribe(org, l),
    async close() {},
  };
}

const CHANNEL = 'parley_events';
// NOTIFY payloads must stay under 8000 bytes.
const MAX_PAYLOAD = 7900;

/**
 * PostgreSQL: NOTIFY on publish and one LISTEN connection per process, so every web process
 * sees the events of every other. Even this process hears its own events through LISTEN,
 * keeping one delivery path.
 */
export async function createPgBus(pool: pg.Pool, log: Logger): Promise<EventBus> {
  const hub = new LocalHub();
  let closed = false;
  let client: pg.PoolClient | null = null;

  const connect = async () => {
    client = await pool.connect();
    client.on('notification', (n) => {
      if (n.channel !== CHANNEL || !n.payload) return;
      try {
        hub.deliver(JSON.parse(n.payload) as AppEvent);
      } catch (err) {
        log.error({ err }, 'bad event payload');
      }
    });
    client.on('error', (err) => {
      log.warn({ err }, 'event listener connection lost; reconnecting');
      client?.release(true);
      client = null;
      if (!closed) setTimeout(() => void connect().catch((e) => log.error({ err: e }, 'event listener reconnect failed')), 500);
    });
    await client.query(`LISTEN ${CHANNEL}`);
  };
  await connect();

  return {
    async publish(events) {
      for (const e of [events].flat()) {
        let payload = JSON.stringify(e);
        // An oversized object travels as a reference; clients refetch it by id.
        if (Buffer.byteLength(payload) > MAX_PAYLOAD) {
          const { id, conversationId, customerId } = e.data as Record<string, unknown>;
          payload = JSON.stringify({ ...e, data: { id, conversationId, customerId, partial: true } });
        }
        await pool.query('select pg_notify($1, $2)', [CHANNEL, payload]);
      }
    },
    subscribe: (org, l) => hub.subscribe(org, l),
    async close() {
      closed = true;
      client?.release();
      client = null;
    },
  };
}
