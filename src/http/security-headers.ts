import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * The web app is a Vite build: every script and stylesheet is a file of our own, so no inline
 * code runs. Pictures come from our own API, `blob:` previews of attachments before they are
 * sent, and the `data:` favicon in index.html. Data goes only to our own API (fetch, SSE).
 */
const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'blob:', 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/**
 * Security headers on every response: helmet's defaults (Referrer-Policy no-referrer, nosniff,
 * cross-origin isolation headers), the policy above, and two choices of our own:
 * - no framing at all (X-Frame-Options DENY, as frame-ancestors 'none' says to newer browsers);
 * - no Strict-Transport-Security: TLS ends at whatever proxy a deployment puts in front, which
 *   knows whether every subdomain speaks HTTPS; an HTTP PUBLIC_URL must keep working.
 * Routes that set a header of their own (media downloads' `sandbox` policy) override these.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  const headers = helmetHeaders({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: false,
  });
  app.addHook('onRequest', (req, reply, done) => {
    reply.headers(headers);
    done();
  });
}

/**
 * The headers helmet sets for these options, worked out once: none of them depends on the
 * request, and building helmet's middleware anew for every request (as its Fastify plugin does)
 * cost about 40 µs of CPU a request, half of what a bare Fastify route costs.
 */
function helmetHeaders(options: Parameters<typeof helmet>[0]): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = { setHeader: (name: string, value: unknown) => void (headers[name] = String(value)), removeHeader: () => undefined };
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, () => undefined);
  return headers;
}
