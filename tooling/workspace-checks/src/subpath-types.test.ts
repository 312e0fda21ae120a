import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { listWorkspacePackages } from './workspace.js';

// TypeScript's old resolution (`moduleResolution: node10`, still the default of many CommonJS
// projects) reads no `exports`: a subpath import (`@pk/config/cache`) finds its types only through
// `typesVersions`. Every subpath export with types needs an entry naming the same declaration file.
const published = listWorkspacePackages().filter((pkg) => !pkg.private);

interface Manifest {
  readonly exports?: Readonly<Record<string, unknown>>;
  readonly typesVersions?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** The ESM declaration file of one export entry (`{ types }` or `{ import: { types } }`), if any. */
function typesOf(entry: unknown): string | undefined {
  if (entry === null || typeof entry !== 'object') return undefined;
  const record = entry as Record<string, unknown>;
  if (typeof record.types === 'string') return record.types;
  return typesOf(record.import);
}

/** Subpaths (without `./`) whose export declares types, each with its declaration file. */
function typedSubpaths(exportsMap: unknown): [string, string][] {
  return Object.entries((exportsMap ?? {}) as Record<string, unknown>).flatMap(([subpath, entry]) => {
    const types = typesOf(entry);
    return subpath === '.' || types === undefined ? [] : [[subpath.slice(2), types] as [string, string]];
  });
}

describe('subpath types under moduleResolution node10', () => {
  it.each(published.map((pkg) => [pkg.name, pkg] as const))(
    '%s maps every typed subpath export in typesVersions to the same declarations',
    (_name, pkg) => {
      const manifest = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) as Manifest;
      const mapped = manifest.typesVersions?.['*'] ?? {};
      for (const [subpath, types] of typedSubpaths(manifest.exports)) {
        expect({ subpath, typesVersions: mapped[subpath] }).toEqual({ subpath, typesVersions: [types] });
      }
    },
  );

  it('the typed subpaths of the built packages compile under node10', () => {
    const imports = published.flatMap((pkg) =>
      typedSubpaths(pkg.exports).map(([subpath]) => `${pkg.name}/${subpath}`),
    );
    expect(imports).toEqual(
      expect.arrayContaining(['@pk/config/cache', '@pk/config/testing', '@pk/sdk/in-process']),
    );
    const directory = mkdtempSync(join(import.meta.dirname, '..', '.node10-consumer-'));
    try {
      const file = join(directory, 'consumer.ts');
      writeFileSync(
        file,
        imports
          .map((specifier, index) => `import * as m${index} from '${specifier}';\nvoid m${index};\n`)
          .join(''),
      );
      const program = ts.createProgram([file], {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        types: ['node'],
      });
      const problems = ts
        .getPreEmitDiagnostics(program)
        .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      expect(problems).toEqual([]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }, 120_000);
});
