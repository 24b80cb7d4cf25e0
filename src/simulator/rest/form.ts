/** Reading Twilio's form parameters, which @fastify/formbody parses into strings or string arrays. */

export type Form = Record<string, unknown>;

export function asForm(body: unknown): Form {
  return body && typeof body === 'object' ? (body as Form) : {};
}

/** A single parameter; when repeated, the last one wins (as Twilio reads scalars). */
export function param(form: Form, name: string): string | undefined {
  const value = form[name];
  if (Array.isArray(value)) {
    const last: unknown = value[value.length - 1];
    return typeof last === 'string' ? last : undefined;
  }
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable parameter such as MediaUrl. */
export function params(form: Form, name: string): string[] {
  const value = form[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** Twilio booleans arrive as `true` / `false` (twilio-node serializes them so). */
export function boolParam(form: Form, name: string): boolean | undefined {
  const value = param(form, name)?.toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
