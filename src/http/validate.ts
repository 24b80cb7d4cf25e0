import { z } from 'zod';
import { AppError } from '../errors.js';

/**
 * Parses request input with a zod schema; a refusal is a 422 that names the offending field
 * (unknown fields included, since schemas are strict).
 */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  // Fastify hands text bodies over as strings: a body that is not JSON at all is a 400.
  if (typeof input === 'string' || Buffer.isBuffer(input)) throw new AppError('bad_request', 'The body must be JSON (Content-Type: application/json)');
  const result = schema.safeParse(input ?? {}, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const field = [...issue.path, issue.keys[0]].join('.');
    throw new AppError('validation_failed', `${field}: unknown field`, field);
  }
  const field = issue.path.join('.') || 'body';
  const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
  throw new AppError('validation_failed', `${field}: ${message}`, field);
}

export const email = z.string().trim().email('must be an email address').max(254);
export const password = z.string().min(8, 'must be at least 8 characters').max(200);
export const id = z.object({ id: z.string().min(1).max(64) }).strict();
