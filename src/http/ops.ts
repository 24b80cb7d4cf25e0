import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.js';
import { ping } from '../db/database.js';
import { errorBody } from './errors.js';

/** starting: migrations or start-up not done; draining: shutting down, finishing what it holds. */
export type ReadinessState = 'starting' | 'ready' | 'draining';

export class Readiness {
  state: ReadinessState = 'starting';
}

/**
 * /healthz: the process lives and reaches its database. /readyz: it should be sent traffic,
 * so a load balancer stops routing to a process that is starting or draining
 * (docs/operations.md#health-and-readiness).
 */
export function opsRoutes(app: FastifyInstance, ctx: Context, readiness: Readiness): void {
  const databaseAnswers = async (log: FastifyInstance['log']) => {
    try {
      await ping(ctx.db);
      return true;
    } catch (err) {
      log.error({ err }, 'health check failed: the database did not answer');
      return false;
    }
  };

  app.get('/healthz', async (req, reply) => {
    if (await databaseAnswers(req.log)) return { ok: true };
    return reply.status(503).send({ ok: false, ...errorBody(req, 'internal', 'The database did not answer; see the log') });
  });

  app.get('/readyz', async (req, reply) => {
    if (readiness.state !== 'ready') {
      return reply.status(503).send({ ok: false, state: readiness.state });
    }
    if (await databaseAnswers(req.log)) return { ok: true, state: 'ready' };
    return reply.status(503).send({ ok: false, state: 'database_unreachable' });
  });
}
