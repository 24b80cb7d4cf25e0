import { afterEach, describe, expect, it } from 'vitest';
import { DECOY_HASH, SCRYPT_N, hashPassword, setPasswordWorkFactorForTests, verifyPassword } from '../../src/features/accounts/passwords.js';

describe('password hashing', () => {
  afterEach(() => setPasswordWorkFactorForTests(1024));

  it('hashes with scrypt at N=2^15, r=8, p=1 unless the test suite lowered it', async () => {
    expect(SCRYPT_N).toBe(32768);
    setPasswordWorkFactorForTests();
    const stored = await hashPassword('correct horse battery');
    expect(stored.split('$').slice(0, 4)).toEqual(['scrypt', '32768', '8', '1']);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    // The decoy checked for an unknown email costs what a real user's hash does.
    expect(DECOY_HASH.split('$').slice(0, 4)).toEqual(['scrypt', '32768', '8', '1']);
  });

  it("verifies a hash by the factor it was made with, whatever the factor is now", async () => {
    setPasswordWorkFactorForTests(1024);
    const cheap = await hashPassword('pw one');
    setPasswordWorkFactorForTests();
    expect(await verifyPassword('pw one', cheap)).toBe(true);
    expect(await verifyPassword('pw two', cheap)).toBe(false);
  });
});
