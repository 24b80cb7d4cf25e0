import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Context } from '../../context.js';
import { AppError } from '../../errors.js';
import { authOf, type AuthHooks } from '../../http/auth.js';
import { isSessionActive, type AuthUser } from '../accounts/sessions.js';
import type { AppEvent } from './app-event.js';
import type { StreamSignal } from './bus.js';

/** Proxies and load balancers commonly drop a connection silent for 30–60 s. */
export const HEARTBEAT_MS = 25_000;
/**
 * The web app shares one stream per browser across its tabs, so a session needs one or two
 * (a reload overlaps the old stream for a moment); a few more leave room, unlimited lets one
 * token hold a process's connections. Counted per server process.
 */
export const MAX_STREAMS_PER_SESSION = 4;
/** A client this far behind is not reading; dropping it lets EventSource reconnect fresh. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** One SSE frame with no `event:` name, so EventSource.onmessage receives every type. */
export const sseFrame = (event: AppEvent) => `data: ${JSON.stringify({ type: event.type, data: event.data })}\n\n`;
/** Events may have been missed: the web app refetches what it shows. */
const RESYNC_FRAME = `data: ${JSON.stringify({ type: 'resync', data: {} })}\n\n`;
/** Sent as the process shuts down: EventSource reconnects (to another process) within a second, then the web app resyncs. */
const RECONNECT_FRAME = 'retry: 1000\n: server shutting down; reconnect\n\n';

interface Stream {
  user: AuthUser;
  write(chunk: string): void;
  /** Ends the stream if its session has ended meanwhile. */
  recheck(): void;
  end(): void;
}

/**
 * GET /api/events: Server-Sent Events of the caller's organization only, from every server
 * process (the bus fans out over LISTEN/NOTIFY on PostgreSQL). A stream lives only as long as
 * its session: signing out, deactivation or a password change ends it at once, expiry at the
 * next heartbeat.
 */
export function eventRoutes(app: FastifyInstance, ctx: Context, auth: AuthHooks) {
  const streams = new Set<Stream>();
  const stopSignals = ctx.events.onSignal((signal) => {
    for (const stream of streams) onSignal(stream, signal);
  });
  // A stream never ends on its own; without this, closing the server would wait for every browser.
  app.addHook('preClose', (done) => {
    stopSignals();
    for (const stream of streams) {
      stream.write(RECONNECT_FRAME);
      stream.end();
    }
    done();
  });

  app.get('/api/events', { preHandler: auth.requireUser }, async (req, reply) => {
    const user = authOf(req);
    const open = [...streams].filter((s) => s.user.sessionId === user.sessionId).length;
    if (open >= MAX_STREAMS_PER_SESSION) {
      throw new AppError(
        'too_many_requests',
        `This session already has ${open} open event streams, the most it may have; close other windows of Parley (its tabs share one stream) and try again`,
      );
    }
    const stream = openStream(ctx, user, reply);
    streams.add(stream);
    ctx.metrics.sseConnections.inc();
    reply.raw.once('close', () => {
      streams.delete(stream);
      ctx.metrics.sseConnections.dec();
    });
  });
}

function onSignal(stream: Stream, signal: StreamSignal) {
  if (signal.type === 'resync') stream.write(RESYNC_FRAME);
  else if (signal.userId === stream.user.id) stream.recheck();
}

function openStream(ctx: Context, user: AuthUser, reply: FastifyReply): Stream {
  const res = reply.raw;
  reply.hijack();
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    // nginx buffers responses unless told not to, which would hold events back.
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 3000\n: connected\n\n');

  let ended = false;
  // Runs inside the publisher's call: a broken connection must end this stream, not that request.
  const write = (chunk: string) => {
    if (ended) return;
    try {
      res.write(chunk);
      if (res.writableLength > MAX_BUFFERED_BYTES) end();
    } catch {
      end();
    }
  };
  const recheck = () => void isSessionActive(ctx, user.sessionId).then((ok) => ok || end(), () => undefined);
  const unsubscribe = ctx.events.subscribe(user.organizationId, (event) => write(sseFrame(event)));
  // The heartbeat also catches what no signal announces: an idle session expiring, a lost signal.
  const heartbeat = setInterval(() => {
    write(': heartbeat\n\n');
    recheck();
  }, HEARTBEAT_MS);
  heartbeat.unref();
  function end() {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    unsubscribe();
    res.end();
  }
  res.once('close', end);
  return { user, write, recheck, end };
}
