import { ApiError } from '../api/http';
import type { NewSender } from '../api/types';

/**
 * Twilio refuses to silently take over a number whose SMS webhook belongs to another
 * application: the API answers 409 naming that URL, and the admin may confirm a replacement.
 */
export function isWebhookConflict(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 409 && (/webhook/i.test(error.code) || /webhook|https?:\/\//i.test(error.message));
}

export function withReplaceWebhook(input: NewSender): NewSender {
  return { ...input, replaceWebhook: true };
}
