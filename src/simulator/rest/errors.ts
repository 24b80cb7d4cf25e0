import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A Twilio REST error, answered as Twilio does: `{code, message, more_info, status}`.
 * twilio-node turns that body into a RestException with `.code` and `.status`.
 */
export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'TwilioApiError';
  }

  toJSON(): { code: number; message: string; more_info: string; status: number } {
    return {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
    };
  }
}

/** The path of a request without its query string, as Twilio names it in 20404 messages. */
export function requestPath(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? request.url;
}

export function sendTwilioError(reply: FastifyReply, error: TwilioApiError): FastifyReply {
  if (error.status === 401) reply.header('WWW-Authenticate', 'Basic realm="Twilio API"');
  return reply.code(error.status).type('application/json').send(error.toJSON());
}

// The catalogue of codes the simulator answers with; names say when.
export const authenticate = (): TwilioApiError => new TwilioApiError(401, 20003, 'Authenticate');
export const notFound = (path: string): TwilioApiError =>
  new TwilioApiError(404, 20404, `The requested resource ${path} was not found`);
export const serverError = (): TwilioApiError => new TwilioApiError(500, 20500, 'Internal Server Error');
export const tooManyRequests = (): TwilioApiError => new TwilioApiError(429, 20429, 'Too Many Requests');
export const queueFull = (): TwilioApiError =>
  new TwilioApiError(400, 21611, "This 'From' number has exceeded the maximum number of queued messages");
export const badRequest = (code: number, message: string): TwilioApiError => new TwilioApiError(400, code, message);
