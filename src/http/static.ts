import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorBody } from './errors.js';

// From src/http (tsx) or dist/server/http (built), the web build is dist/web at the repo root.
const CANDIDATES = ['../../dist/web', '../../../dist/web'].map((p) => fileURLToPath(new URL(p, import.meta.url)));

export function webDistDir(): string | null {
  return CANDIDATES.find((dir) => existsSync(`${dir}/index.html`)) ?? null;
}

/** Paths that are never the app: missing assets and source maps are 404s, not index.html. */
const NOT_THE_APP = /^\/(api|webhooks|media|healthz|readyz|metrics|assets)(\/|$|\?)|\.map($|\?)/;

/**
 * Vite names every file under assets/ after a hash of its content, so a browser may keep it for
 * ever; index.html names the current ones, so it is checked on every load.
 */
function cacheHeaders(root: string) {
  const hashedAssets = path.join(root, 'assets') + path.sep;
  return (reply: FastifyReply, file: string) => {
    reply.header('cache-control', file.startsWith(hashedAssets) ? 'public, max-age=31536000, immutable' : 'no-cache');
  };
}

/**
 * Serves the built web app at / and its index.html for the app's own client-side routes;
 * API and Twilio paths keep their JSON 404s. The build writes .br and .gz beside each file
 * (web/vite.config.ts), served to browsers that accept them. Source maps are never served.
 */
export async function registerWebApp(app: FastifyInstance, root = webDistDir()): Promise<void> {
  if (!root) {
    app.log.warn('web app not built (npm run build:web); serving the API only');
    return;
  }
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    index: ['index.html'],
    // The compressed copies are chosen by Accept-Encoding, not addressed themselves.
    globIgnore: ['**/*.map', '**/*.br', '**/*.gz'],
    preCompressed: true,
    cacheControl: false,
    setHeaders: cacheHeaders(root),
  });
  app.get('/*', (request, reply) => {
    if (NOT_THE_APP.test(request.url)) {
      return reply.status(404).send(errorBody(request, 'not_found', `No route for GET ${request.url.split('?')[0]}`));
    }
    return reply.type('text/html').sendFile('index.html');
  });
}
