/** The one place that talks HTTP: same-origin cookies, JSON in and out, docs/api.md errors. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type UnauthorizedHandler = () => void;
let unauthorized: UnauthorizedHandler | null = null;

/** Called when any request answers 401: the session is over, show the login screen. */
export function onUnauthorized(handler: UnauthorizedHandler | null) {
  unauthorized = handler;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** A 401 here is an answer (wrong password), not a lost session. */
  expectUnauthorized?: boolean;
}

const FALLBACK_MESSAGES: Record<number, string> = {
  400: 'The request was not understood.',
  401: 'Please sign in again.',
  403: 'You are not allowed to do that.',
  404: 'That was not found. It may have been removed.',
  409: 'That conflicts with the current state. Reload and try again.',
  413: 'That is too large.',
  422: 'Some of the input is not valid.',
  429: 'Too many attempts. Wait a few minutes and try again.',
};

export async function request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }

  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', signal: options.signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'Parley cannot be reached. Check your connection and try again.');
  }

  if (response.status === 401 && !options.expectUnauthorized) unauthorized?.();
  const text = await response.text();
  const json = text ? safeJson(text) : undefined;
  if (!response.ok) throw toApiError(response.status, json);
  return json as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toApiError(status: number, json: unknown): ApiError {
  const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `http_${status}`;
  const message =
    typeof error?.message === 'string' && error.message
      ? error.message
      : (FALLBACK_MESSAGES[status] ?? (status >= 500 ? 'Something went wrong on the server. Try again.' : 'The request failed.'));
  return new ApiError(status, code, message);
}

/** The text to show a person for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Try again.';
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
