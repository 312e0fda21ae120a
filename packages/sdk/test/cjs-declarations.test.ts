import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isEsmOnlyPackage, packageNameOf, rewriteCjsDeclarations } from '../scripts/cjs-declarations.mjs';

// What tsup writes into dist/in-process.d.cts (trimmed): value imports of the ESM-only @pk packages.
const tsupOutput = readFileSync(
  fileURLToPath(new URL('./__fixtures__/tsup-in-process.d.cts.txt', import.meta.url)),
  'utf8',
);
const esmOnly = new Set(['@pk/config', '@pk/headers', '@pk/providers']);
const isEsmOnly = (specifier: string) => esmOnly.has(packageNameOf(specifier) ?? '');
const manifest = (name: string) =>
  JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as {
    type?: string;
    exports?: unknown;
  };

describe('the CommonJS declarations’ imports of ESM-only packages', () => {
  it('imports and re-exports from ESM-only packages become type-only with resolution-mode import', () => {
    const rewritten = rewriteCjsDeclarations(tsupOutput, {
      isEsmOnly,
      values: new Set(['PkError', 'Portkey']),
    });
    expect(rewritten.split('\n').filter((line) => /^(import|export) .*'(@pk|openai|\.)/.test(line))).toEqual([
      "import type { ProviderOptions, Config } from '@pk/config' with { 'resolution-mode': 'import' };",
      "import type { PkError as PkError$1 } from '@pk/config' with { 'resolution-mode': 'import' };",
      "import type { Transport } from '@pk/providers' with { 'resolution-mode': 'import' };",
      "import { P as PortkeyClientOptions, a as Portkey$1 } from './portkey-client-C7rJ1F4u.cjs';",
      "import 'openai';",
      "import 'openai/resources/chat/completions';",
      "import 'openai/resources/completions';",
      "import 'openai/resources/embeddings';",
      "import 'openai/streaming';",
      "export type { PkErrorCode } from '@pk/config' with { 'resolution-mode': 'import' };",
    ]);
    // The declarations themselves are untouched.
    expect(rewritten).toContain('declare const PkError: typeof PkError$1;');
    expect(rewritten.endsWith('export { type InProcessSetup, PkError, Portkey };\n')).toBe(true);
  });

  it('refuses to re-export a run-time value from an ESM-only package, which would become type-only', () => {
    expect(() =>
      rewriteCjsDeclarations("export { PkError, type PkErrorCode } from '@pk/config';\n", {
        isEsmOnly,
        values: new Set(['PkError']),
      }),
    ).toThrow('PkError is a value re-exported from the ESM-only @pk/config');
    expect(() =>
      rewriteCjsDeclarations("export * from '@pk/headers';\n", { isEsmOnly, values: new Set() }),
    ).toThrow('cannot check the names');
  });

  it('leaves a file without ESM-only imports as it is', () => {
    const text = "import { OpenAI } from 'openai';\nexport { OpenAI };\n";
    expect(rewriteCjsDeclarations(text, { isEsmOnly, values: new Set(['OpenAI']) })).toBe(text);
  });

  it('tells ESM-only packages from dual ones by their package.json', () => {
    expect(isEsmOnlyPackage(manifest('@pk/config'))).toBe(true);
    expect(isEsmOnlyPackage(manifest('@pk/headers'))).toBe(true);
    expect(isEsmOnlyPackage(manifest('openai'))).toBe(false);
    expect(
      isEsmOnlyPackage(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))),
    ).toBe(false);
    expect([
      packageNameOf('@pk/config/cache'),
      packageNameOf('openai/streaming'),
      packageNameOf('./x.cjs'),
    ]).toEqual(['@pk/config', 'openai', undefined]);
  });
});
