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

/** The JSON subpath exports of a package (`./config.schema.json`), `./package.json` left out. */
function jsonSubpaths(exportsMap: unknown): string[] {
  return Object.keys((exportsMap ?? {}) as Record<string, unknown>)
    .filter((subpath) => subpath.endsWith('.json') && subpath !== './package.json')
    .map((subpath) => subpath.slice(2));
}

/** TypeScript's diagnostics for one file compiled as a CommonJS module under node10. */
function node10Problems(prefix: string, source: string, options: ts.CompilerOptions = {}): string[] {
  const directory = mkdtempSync(join(import.meta.dirname, '..', prefix));
  try {
    const file = join(directory, 'consumer.ts');
    writeFileSync(file, source);
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      types: ['node'],
      ...options,
    });
    return ts
      .getPreEmitDiagnostics(program)
      .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
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
    const source = imports
      .map((specifier, index) => `import * as m${index} from '${specifier}';\nvoid m${index};\n`)
      .join('');
    expect(node10Problems('.node10-consumer-', source)).toEqual([]);
  }, 120_000);

  // node10 looks for `@pk/config/config.schema.json` at the package's root, where it is not (the
  // file is `dist/config.schema.json`): `typesVersions` points it there, as for the typed subpaths.
  it('the JSON subpath exports of the built packages resolve under node10 (resolveJsonModule)', () => {
    const imports = published.flatMap((pkg) =>
      jsonSubpaths(pkg.exports).map((subpath) => `${pkg.name}/${subpath}`),
    );
    expect(imports).toContain('@pk/config/config.schema.json');
    const source = imports
      .map((specifier, index) => `import m${index} = require('${specifier}');\nvoid m${index};\n`)
      .join('');
    expect(node10Problems('.node10-json-consumer-', source, { resolveJsonModule: true })).toEqual([]);
  }, 120_000);
});
