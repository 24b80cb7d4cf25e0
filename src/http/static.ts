import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// From src/http (tsx) or dist/server/http (built), the web build is dist/web at the repo root.
const CANDIDATES = ['../../dist/web', '../../../dist/web'].map((p) => fileURLToPath(new URL(p, import.meta.url)));

export function webDistDir(): string | null {
  return CANDIDATES.find((dir) => existsSync(`${dir}/index.html`)) ?? null;
}

const NOT_THE_APP = /^\/(api|webhooks|media|healthz)(\/|$|\?)/;

/**
 * Serves the built web app at / and its index.html for the app's own client-side routes;
 * API and Twilio paths keep their JSON 404s.
 */
export async function registerWebApp(app: FastifyInstance): Promise<void> {
  const root = webDistDir();
  if (!root) {
    app.log.warn('web app not built (npm run build:web); serving the API only');
    return;
  }
  await app.register(fastifyStatic, { root, wildcard: false, index: ['index.html'] });
  app.get('/*', (request, reply) => {
    if (NOT_THE_APP.test(request.url)) {
      return reply.status(404).send({ error: { code: 'not_found', message: `No route for GET ${request.url.split('?')[0]}` } });
    }
    return reply.type('text/html').sendFile('index.html', { maxAge: 0 });
  });
}
