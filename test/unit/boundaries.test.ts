import { ESLint } from 'eslint';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: root });

/** The import restrictions ESLint reports for `code` as if it were the file at `file`. */
async function restrictions(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const cases: Array<{ rule: string; file: string; code: string; refused: boolean }> = [
  // Only routes.ts files and src/http/ know HTTP.
  { rule: 'http', file: 'src/features/inbound/service.ts', code: "import type { FastifyRequest } from 'fastify';", refused: true },
  { rule: 'http', file: 'src/features/customers/service.ts', code: "import cookie from '@fastify/cookie';", refused: true },
  { rule: 'http', file: 'src/jobs/runner.ts', code: "import Fastify from 'fastify';", refused: true },
  { rule: 'http', file: 'src/features/inbound/routes.ts', code: "import type { FastifyInstance } from 'fastify';", refused: false },
  { rule: 'http', file: 'src/http/app.ts', code: "import cookie from '@fastify/cookie';", refused: false },
  // The domain has no I/O and depends on nothing but itself.
  { rule: 'domain', file: 'src/domain/phone.ts', code: "import { sql } from 'kysely';", refused: true },
  { rule: 'domain', file: 'src/domain/phone.ts', code: "import { readFileSync } from 'node:fs';", refused: true },
  { rule: 'domain', file: 'src/domain/phone.ts', code: "import { createServer } from 'http';", refused: true },
  { rule: 'domain', file: 'src/domain/phone.ts', code: "import twilio from 'twilio';", refused: true },
  { rule: 'domain', file: 'src/domain/phone.ts', code: "import type { Conn } from '../db/database.js';", refused: true },
  { rule: 'domain', file: 'src/domain/phone.ts', code: "import { findSender } from '../features/twilio/queries.js';", refused: true },
  { rule: 'domain', file: 'src/domain/phone.ts', code: "import type { FastifyRequest } from 'fastify';", refused: true },
  { rule: 'domain', file: 'src/domain/threading.ts', code: "import { toE164 } from './phone.js';", refused: false },
  // The simulator and the product stay apart.
  { rule: 'simulator', file: 'src/simulator/store.ts', code: "import { newId } from '../ids.js';", refused: true },
  { rule: 'simulator', file: 'src/simulator/rest/messages.ts', code: "import { toE164 } from '../../domain/phone.js';", refused: true },
  { rule: 'simulator', file: 'src/simulator/rest/messages.ts', code: "import { newSid } from '../sids.js';", refused: false },
  { rule: 'simulator', file: 'src/simulator/server.ts', code: "import Fastify from 'fastify';", refused: false },
  { rule: 'product', file: 'src/features/twilio/client.ts', code: "import { startSimulator } from '../../simulator/index.js';", refused: true },
  { rule: 'product', file: 'src/http/app.ts', code: "import { startSimulator } from '../simulator/index.js';", refused: true },
  { rule: 'product', file: 'src/features/outbound/routes.ts', code: "import { startSimulator } from '../../simulator/index.js';", refused: true },
  { rule: 'product', file: 'test/helpers/twilio-world.ts', code: "import { startSimulator } from '../../src/simulator/index.js';", refused: false },
  { rule: 'product', file: 'scripts/demo.ts', code: "import { startSimulator } from '../src/simulator/index.js';", refused: false },
];

describe('import boundaries kept by ESLint', () => {
  for (const c of cases) {
    it(`${c.rule}: ${c.file} ${c.refused ? 'may not' : 'may'} ${c.code}`, async () => {
      const found = await restrictions(c.file, c.code);
      if (c.refused) expect(found).toHaveLength(1);
      else expect(found).toEqual([]);
    });
  }
});
