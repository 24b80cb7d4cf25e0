import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

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
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: false,
  });
}
