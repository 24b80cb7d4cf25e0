import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { errorBody } from './errors.js';

/**
 * GET /metrics in Prometheus' text format, to a request bearing METRICS_TOKEN; without the
 * token (or with none configured) it does not exist, so a scan learns nothing
 * (docs/operations.md#metrics). Every answered request is counted by its route pattern, never
 * its URL, so ids in paths cannot grow the label set.
 */
export function registerMetrics(app: FastifyInstance, ctx: Context): void {
  const { metrics, config } = ctx;
  app.addHook('onResponse', async (req, reply) => {
    const labels = { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get('/metrics', async (req, reply) => {
    if (!config.metricsToken || !bearerMatches(req, config.metricsToken)) {
      return reply.status(404).send(errorBody(req, 'not_found', 'No route for GET /metrics'));
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}

function bearerMatches(req: FastifyRequest, token: string): boolean {
  const given = Buffer.from(req.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
