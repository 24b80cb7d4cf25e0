import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.js';
import { authOf, SESSION_COOKIE, type AuthHooks } from '../../http/auth.js';
import { resolveSession } from '../accounts/sessions.js';
import type { AppEvent } from './bus.js';

/** Proxies and load balancers commonly drop a connection silent for 30–60 s. */
export const HEARTBEAT_MS = 25_000;
/** A client this far behind is not reading; dropping it lets EventSource reconnect fresh. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** One SSE frame with no `event:` name, so EventSource.onmessage receives every type. */
export const sseFrame = (event: AppEvent) => `data: ${JSON.stringify({ type: event.type, data: event.data })}\n\n`;

/**
 * GET /api/events: Server-Sent Events of the caller's organization only, from every server
 * process (the bus fans out over LISTEN/NOTIFY on PostgreSQL).
 */
export function eventRoutes(app: FastifyInstance, ctx: Context, auth: AuthHooks) {
  const open = new Set<() => void>();
  // A stream never ends on its own; without this, closing the server would wait for every browser.
  app.addHook('preClose', (done) => {
    for (const end of open) end();
    done();
  });

  app.get('/api/events', { preHandler: auth.requireUser }, (req, reply) => {
    const end = openStream(ctx, req, reply);
    open.add(end);
    reply.raw.once('close', () => open.delete(end));
  });
}

async function stillSignedIn(ctx: Context, req: FastifyRequest): Promise<boolean> {
  const header = req.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : req.cookies?.[SESSION_COOKIE];
  return token ? (await resolveSession(ctx, token)) !== null : false;
}

function openStream(ctx: Context, req: FastifyRequest, reply: FastifyReply): () => void {
  const { organizationId } = authOf(req);
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
  const unsubscribe = ctx.events.subscribe(organizationId, (event) => write(sseFrame(event)));
  // Each heartbeat also checks the session, so signing out or deactivation ends the stream too.
  const heartbeat = setInterval(() => {
    write(': heartbeat\n\n');
    void stillSignedIn(ctx, req).then((ok) => ok || end(), () => undefined);
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
  return end;
}
