import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listWorkspacePackages } from './workspace.js';

const published = listWorkspacePackages().filter((pkg) => !pkg.private);
const require = createRequire(import.meta.url);

/** Every module specifier of a package's exports map (`@pk/sdk`, `@pk/sdk/in-process`), JSON left out. */
function moduleSpecifiers(name: string, exportsMap: unknown): { specifier: string; requirable: boolean }[] {
  return Object.entries((exportsMap ?? {}) as Record<string, unknown>)
    .filter(([subpath]) => !subpath.endsWith('.json'))
    .map(([subpath, entry]) => ({
      specifier: `${name}${subpath.slice(1)}`,
      requirable: typeof entry === 'object' && entry !== null && 'require' in entry,
    }));
}

/** Exported classes whose `name` is not the name they are exported under. */
function misnamedClasses(module: Record<string, unknown>): string[] {
  return Object.entries(module)
    .filter(
      ([, value]) =>
        typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value)),
    )
    .filter(([exported, value]) => (value as { name: string }).name !== exported)
    .map(([exported, value]) => `${exported} is named ${(value as { name: string }).name}`);
}

describe('built packages', () => {
  it.each(published.map((pkg) => [pkg.name, pkg] as const))(
    '%s loads from its exports map with the version injected at build time',
    async (name, pkg) => {
      const { version } = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) as {
        version: string;
      };
      const module = (await import(name)) as { VERSION?: unknown };
      expect(module.VERSION).toBe(version);
    },
  );

  // A bundler renames a class that names itself in its body (`class _PkError`) or that shares a
  // scope with another of its name (`Portkey2`); Node's inspection of an error or a client (what
  // `console.log` and an uncaught error print) and `constructor.name` would show that name.
  it.each(published.map((pkg) => [pkg.name, pkg] as const))(
    '%s: every exported class is named as it is exported, in each build',
    async (name, pkg) => {
      const problems: string[] = [];
      for (const { specifier, requirable } of moduleSpecifiers(name, pkg.exports)) {
        const esm = (await import(specifier)) as Record<string, unknown>;
        problems.push(...misnamedClasses(esm).map((problem) => `import('${specifier}'): ${problem}`));
        if (!requirable) continue;
        const cjs = require(specifier) as Record<string, unknown>;
        problems.push(...misnamedClasses(cjs).map((problem) => `require('${specifier}'): ${problem}`));
      }
      expect(problems).toEqual([]);
    },
  );
});
