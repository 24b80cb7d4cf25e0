import { z } from 'zod';
import { hasForbiddenControl, stripControls } from '../domain/text.js';
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

/**
 * Every text field of a request starts here. One rule on both engines (PostgreSQL text cannot
 * hold NUL, and no C0 control has a meaning in a name, a note or a message): a control character
 * other than tab, LF and CR, or DEL, is a 422 naming the field, never a 500. Search queries drop
 * them instead (`searchQuery`), and a customer's inbound text has them removed, never refused.
 */
export const text = () => z.string().refine((v) => !hasForbiddenControl(v), 'must not contain control characters (such as NUL or ESC); remove them and try again');

/** A search box query: control characters are dropped, since nothing stored can hold one. */
export const searchQuery = () => z.string().max(200).transform(stripControls);

export const email = text().trim().email('must be an email address').max(254);
export const password = text().min(8, 'must be at least 8 characters').max(200);
export const id = z.object({ id: text().min(1).max(64) }).strict();
