import { ApiError } from '../api/http';
import type { NewSender } from '../api/types';

/**
 * Parley refuses to silently take over a number or service whose texts go to another application
 * (its SMS URL, its TwiML App, or a service deferring to its numbers): the API answers 409
 * `webhook_in_use` saying which, and the admin may confirm a replacement. Other 409s, such as a
 * number inside a Messaging Service, cannot be overridden and stay errors.
 */
export function isWebhookConflict(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 409 && error.code === 'webhook_in_use';
}

export function withReplaceWebhook(input: NewSender): NewSender {
  return { ...input, replaceWebhook: true };
}
