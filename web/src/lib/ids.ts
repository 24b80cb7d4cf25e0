import type { Id } from '../api/types';

/** Ids are strings in SPEC §7; comparing as strings keeps a number from a URL or a test equal. */
export function sameId(a: Id | null | undefined, b: Id | null | undefined): boolean {
  return a !== null && a !== undefined && b !== null && b !== undefined && String(a) === String(b);
}
