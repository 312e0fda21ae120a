import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { listWorkspacePackages } from './workspace.js';

// How a user's CommonJS code loads the published packages, as their READMEs say: @pk/sdk ships a
// CommonJS build; the others are ES modules only, which Node ≥ 20.19 (every package's `engines`)
// loads with `require()` too, and TypeScript accepts under `module: nodenext`. A top-level `await`
// in one of them would end that (`ERR_REQUIRE_ASYNC_MODULE`), and this check with it.
const published = listWorkspacePackages().filter((pkg) => !pkg.private);
const require = createRequire(import.meta.url);

/** Every module specifier of a package's exports map (`@pk/config`, `@pk/config/cache`), JSON left out. */
function moduleSpecifiers(name: string, exportsMap: unknown): string[] {
  return Object.keys((exportsMap ?? {}) as Record<string, unknown>)
    .filter((subpath) => !subpath.endsWith('.json'))
    .map((subpath) => `${name}${subpath.slice(1)}`);
}

/** True for a package with no `require` condition: ES modules only. */
function isEsmOnly(exportsMap: unknown): boolean {
  return !JSON.stringify(exportsMap ?? {}).includes('"require"');
}

const specifiers = published.flatMap((pkg) => moduleSpecifiers(pkg.name, pkg.exports));

/** The JSON subpath exports of a package (`@pk/config/config.schema.json`), `package.json` left out. */
function jsonSpecifiers(name: string, exportsMap: unknown): string[] {
  return Object.keys((exportsMap ?? {}) as Record<string, unknown>)
    .filter((subpath) => subpath.endsWith('.json') && subpath !== './package.json')
    .map((subpath) => `${name}${subpath.slice(1)}`);
}

describe('the published packages from CommonJS', () => {
  it.each(specifiers)('require(%j) loads it', (specifier) => {
    const module = require(specifier) as Record<string, unknown>;
    expect(Object.keys(module).length).toBeGreaterThan(0);
  });

  it('a CommonJS TypeScript file importing every one type-checks under module nodenext', () => {
    expect(specifiers).toEqual(expect.arrayContaining(['@pk/config', '@pk/prices', '@pk/sdk/in-process']));
    const directory = mkdtempSync(join(import.meta.dirname, '..', '.commonjs-consumer-'));
    try {
      const file = join(directory, 'consumer.cts');
      writeFileSync(
        file,
        specifiers
          .map((specifier, index) => `import * as m${index} from '${specifier}';\nvoid m${index};\n`)
          .join(''),
      );
      const program = ts.createProgram([file], {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
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

describe('what each published README says about installing it', () => {
  it.each(published.map((pkg) => [pkg.name, pkg] as const))('%s: the install command', (name, pkg) => {
    const readme = readFileSync(join(pkg.dir, 'README.md'), 'utf8');
    expect(readme.includes(`npm install ${name}`), `npm install ${name}`).toBe(true);
  });

  // Node refuses a JSON import without the attribute (ERR_IMPORT_ASSERTION_TYPE_MISSING).
  const jsonExports = published.flatMap((pkg) =>
    jsonSpecifiers(pkg.name, pkg.exports).map((specifier) => [specifier, pkg] as const),
  );

  it('finds the JSON exports', () => {
    expect(jsonExports.map(([specifier]) => specifier)).toContain('@pk/config/config.schema.json');
  });

  it.each(jsonExports)('%s: how an ES module imports it, and require() loads it', (specifier, pkg) => {
    const readme = readFileSync(join(pkg.dir, 'README.md'), 'utf8');
    const shown = `'${specifier}' with { type: 'json' }`;
    expect(readme.includes(shown), shown).toBe(true);
    expect(Object.keys(require(specifier) as object).length).toBeGreaterThan(0);
  });

  it.each(published.filter((pkg) => isEsmOnly(pkg.exports)).map((pkg) => [pkg.name, pkg] as const))(
    '%s (ES modules only): that it is, and how CommonJS loads it',
    (name, pkg) => {
      const readme = readFileSync(join(pkg.dir, 'README.md'), 'utf8');
      expect(readme.includes('ES modules only'), 'ES modules only').toBe(true);
      expect(readme.includes(`require('${name}')`), `require('${name}')`).toBe(true);
    },
  );
});
