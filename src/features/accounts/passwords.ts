import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;
/** scrypt's work factor: N=2^15 costs 50–160 ms on one core, on libuv's thread pool, off the event loop. */
export const SCRYPT_N = 32768;
const PARAMS = { r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
let workFactor = SCRYPT_N;

/**
 * For the test suite only (test/helpers/fast-passwords.ts): every test world signs up an admin
 * and adds and signs in an agent, three hashes of up to 160 ms each, a fifth of the suite's time.
 * A hash keeps the factor it was made with, so verifying never depends on this. No server code calls it.
 */
export function setPasswordWorkFactorForTests(n: number = SCRYPT_N): void {
  workFactor = n;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, { ...PARAMS, N: workFactor });
  return `scrypt$${workFactor}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: PARAMS.maxmem,
  });
  return timingSafeEqual(actual, expected);
}

/** A real hash to check against when the email is unknown, so both failures take as long. */
export const DECOY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
