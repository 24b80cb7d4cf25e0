import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function refusals(code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: 'web/src/probe.ts' });
  return result!.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('the web app imports the server', () => {
  it('only as types, and src/domain as code', async () => {
    expect(await refusals("import { presentUser } from '../../src/features/accounts/presenters';\nexport const x = presentUser;\n")).toHaveLength(1);
    expect(await refusals("import { newId } from '../../src/ids';\nexport const x = newId;\n")).toHaveLength(1);
    expect(await refusals("import type { PresentedUser } from '../../src/features/accounts/presenters';\nexport type X = PresentedUser;\n")).toEqual([]);
    expect(await refusals("import { previewOf } from '../../src/domain/preview';\nexport const x = previewOf;\n")).toEqual([]);
  });
});
