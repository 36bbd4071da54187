import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

async function lintAs(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint();
  const [result] = await eslint.lintText(code, { filePath: path });
  return result.messages.map((m) => m.ruleId ?? m.message);
}

describe('the purity fence around src/core', () => {
  it('rejects I/O imports, the clock and Math.random in core', async () => {
    const rules = await lintAs(
      'src/core/plan/bad.ts',
      "import { readFileSync } from 'node:fs';\nexport const t = Date.now() + Math.random();\nexport const d = new Date();\nvoid readFileSync;\n",
    );
    expect(rules).toContain('no-restricted-imports');
    expect(rules).toContain('no-restricted-properties');
    expect(rules).toContain('no-restricted-syntax');
  });

  it('rejects core importing an outer layer', async () => {
    const rules = await lintAs('src/core/plan/bad.ts', "import { x } from '../../adapters/files/x.js';\nexport const y = x;\n");
    expect(rules).toContain('no-restricted-imports');
  });

  it('allows the same code outside core', async () => {
    const rules = await lintAs('src/adapters/files/ok.ts', "import { readFileSync } from 'node:fs';\nexport const t = Date.now();\nvoid readFileSync;\n");
    expect(rules).not.toContain('no-restricted-imports');
    expect(rules).not.toContain('no-restricted-properties');
  });
});
