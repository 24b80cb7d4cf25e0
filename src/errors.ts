/**
 * The error catalogue: stable codes that clients can rely on. Services throw AppError;
 * http/ maps each code to its status. Messages are for people: they say what was wrong
 * and, where it helps, what to do.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  webhook_in_use: 409,
  number_in_messaging_service: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  public_url_required: 422,
  too_many_requests: 429,
  internal: 500,
  twilio_unreachable: 502,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The offending input field, for 422s. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const invalid = (field: string, message: string) => new AppError('validation_failed', `${field}: ${message}`, field);
export const conflict = (message: string) => new AppError('conflict', message);
export const forbidden = (message: string) => new AppError('forbidden', message);
