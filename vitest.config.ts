import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'web/src/**/*.test.{ts,tsx}'],
    setupFiles: ['test/helpers/no-outside-network.ts', 'test/helpers/fast-passwords.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Each file builds its own databases and servers; two cores run two files at a time.
    maxWorkers: 2,
  },
});
