import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, ERROR_STATUS, type ErrorCode } from '../errors.js';

/** The one shape of every refusal; the request id lets an operator find its log lines. */
export function errorBody(request: FastifyRequest, code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
  return { error: { code, message, ...extra, requestId: request.id } };
}

/** Every refusal leaves as {"error": {"code", "message", "requestId"}}, with no stack trace. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (err instanceof AppError) {
      const status = ERROR_STATUS[err.code];
      return reply.status(status).send(errorBody(request, err.code, err.message, err.field ? { field: err.field } : {}));
    }
    const status = err.statusCode ?? 500;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
      return reply.status(413).send(errorBody(request, 'payload_too_large', 'The request body is too large'));
    }
    if (status === 415) {
      const message = `Content-Type ${request.headers['content-type'] ?? '(none)'} is not accepted: send JSON (application/json), or multipart/form-data to upload`;
      return reply.status(415).send(errorBody(request, 'unsupported_media_type', message));
    }
    if (isMultipartParseError(err, request)) {
      const message = `The upload is not complete multipart/form-data (${err.message}); send the file again`;
      return reply.status(400).send(errorBody(request, 'bad_request', message));
    }
    if (status >= 400 && status < 500) {
      const message = err.code?.startsWith('FST_ERR_CTP') || err instanceof SyntaxError ? 'The body is not valid JSON' : err.message;
      return reply.status(400).send(errorBody(request, 'bad_request', message));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(errorBody(request, 'internal', 'Something went wrong on our side; it has been logged'));
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody(request, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`)),
  );
}

/**
 * The multipart parser (busboy) reports a truncated or malformed body as a plain Error with no
 * status or code ("Unexpected end of multipart data", "Part terminated early…", "Boundary not
 * found"): the client's fault, not ours. Only errors on a multipart request qualify, so a
 * failure of our own while storing an upload still answers 500 and is logged.
 */
const MULTIPART_PARSE_ERROR = /multipart|boundary|terminated early/i;

function isMultipartParseError(err: FastifyError, request: FastifyRequest): boolean {
  const multipart = String(request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/');
  return multipart && err.statusCode === undefined && err.code === undefined && MULTIPART_PARSE_ERROR.test(err.message);
}
