import type { HttpMethod } from '../model.js';
import { badRequest } from './errors.js';
import { isHttpUrl, param, type Form } from './form.js';

/** A webhook URL parameter: empty clears it; anything else must be an http(s) URL (21502). */
export function urlParam(form: Form, name: string): string | undefined {
  const value = param(form, name);
  if (value === undefined || value === '') return value;
  if (!isHttpUrl(value)) throw badRequest(21502, `${name} is not a valid URL: ${value}`);
  return value;
}

export function methodParam(form: Form, name: string): HttpMethod | undefined {
  const value = param(form, name)?.toUpperCase();
  if (value === undefined) return undefined;
  if (value !== 'GET' && value !== 'POST') throw badRequest(20001, `${name} must be GET or POST`);
  return value;
}

/** Assigns only the parameters that were sent, as Twilio's partial updates do. */
export function assignDefined<T extends object>(target: T, changes: Partial<T>): void {
  for (const [key, value] of Object.entries(changes)) {
    if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  }
}
