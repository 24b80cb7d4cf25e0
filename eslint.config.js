import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * The boundaries of the architecture, kept by the linter (test/unit/boundaries.test.ts proves
 * each one bites). ESLint applies the last matching block's no-restricted-imports, so each
 * block below lists every restriction that holds for its files.
 */
const HTTP = { regex: '^(fastify|@fastify/)', message: 'Only routes.ts files and src/http/ know HTTP: take plain values (URL, signature, params) from the route instead.' };
const SIMULATOR = { regex: '(^|/)simulator(/|$)', message: 'The product knows the simulator only as a Twilio URL; tests, benchmarks and scripts/demo*.ts may start it.' };
const DOMAIN_IO = [
  { regex: '^(kysely|pg|better-sqlite3|twilio|pino|undici)(/|$)', message: 'src/domain/ holds pure rules: no database, network or logging; do the I/O in a feature and pass values in.' },
  { regex: '^(node:)?(fs|fs/promises|net|http|https|http2|tls|dgram|dns|child_process|worker_threads|cluster)$', message: 'src/domain/ holds pure rules: no files or network.' },
  { regex: '^\\.\\./(db|features|http|jobs|simulator)(/|$)|^\\.\\./(context|config|server|main|secrets)\\.js$', message: 'src/domain/ imports only other domain rules: features call the domain, never the other way.' },
];
const OUT_OF_SIMULATOR = (up) => ({ regex: `^${up}`, message: 'The simulator is a separate world: it imports nothing from the product (copy what it needs).' });

const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The browser bundle holds no server code: the web app takes the server's types, and only
    // the pure rules of src/domain as code.
    files: ['web/**/*.{ts,tsx}'],
    ignores: ['web/vite.config.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src/*', '!**/src/domain'],
              allowTypeImports: true,
              message: 'The web app may import server code only with `import type`; share runtime rules through src/domain.',
            },
          ],
        },
      ],
    },
  },
  { files: ['src/**/*.ts'], ignores: ['src/simulator/**'], rules: restrict(HTTP, SIMULATOR) },
  { files: ['src/**/routes.ts', 'src/http/**/*.ts'], rules: restrict(SIMULATOR) },
  { files: ['src/domain/**/*.ts'], rules: restrict(HTTP, SIMULATOR, ...DOMAIN_IO) },
  { files: ['src/simulator/*.ts'], rules: restrict(OUT_OF_SIMULATOR('\\.\\./')) },
  { files: ['src/simulator/*/*.ts'], rules: restrict(OUT_OF_SIMULATOR('\\.\\./\\.\\./')) },
  { files: ['src/simulator/*/*/*.ts'], rules: restrict(OUT_OF_SIMULATOR('\\.\\./\\.\\./\\.\\./')) },
);
