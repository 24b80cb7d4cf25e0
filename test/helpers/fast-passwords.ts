import { setPasswordWorkFactorForTests } from '../../src/features/accounts/passwords.js';

/**
 * Test worlds hash passwords at a work factor of 2^10 instead of 2^15: each world makes three
 * hashes, and at the real factor they took a fifth of the suite's time. The real factor is
 * checked in test/unit/passwords.test.ts.
 */
setPasswordWorkFactorForTests(1024);
