import type { Conn } from '../../db/database.js';
import type { Keyring } from '../../secrets.js';
import { maskSid } from './accounts.js';
import * as q from './queries.js';

export interface ResealResult {
  /** Tokens re-encrypted under the current APP_SECRET. */
  resealed: number;
  /** Tokens that already were. */
  alreadyCurrent: number;
  /** Masked SIDs whose token no known secret opens (APP_SECRET_PREVIOUS missing or wrong). */
  unreadable: string[];
  /** Rows whose token was replaced while this ran; running again settles them. */
  changedMeanwhile: number;
}

/**
 * Re-encrypts every sealed Auth Token under the current APP_SECRET, reading old ones with
 * APP_SECRET_PREVIOUS. Each row is swapped only if it still holds what was read, so a token
 * replaced meanwhile by an admin is kept. Safe to run again: current tokens are left alone.
 */
export async function resealTokens(conn: Conn, keyring: Keyring): Promise<ResealResult> {
  const result: ResealResult = { resealed: 0, alreadyCurrent: 0, unreadable: [], changedMeanwhile: 0 };
  for (const row of await q.listAllAccounts(conn)) {
    if (keyring.isCurrent(row.authTokenSealed)) {
      result.alreadyCurrent++;
      continue;
    }
    let token: string;
    try {
      token = keyring.decrypt('twilio-token-encryption', row.authTokenSealed);
    } catch {
      result.unreadable.push(maskSid(row.accountSid));
      continue;
    }
    const swapped = await q.replaceSealedToken(conn, row.id, row.authTokenSealed, keyring.encrypt('twilio-token-encryption', token));
    if (swapped) result.resealed++;
    else result.changedMeanwhile++;
  }
  return result;
}
