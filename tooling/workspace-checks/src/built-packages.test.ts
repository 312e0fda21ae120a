import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/** Every built JavaScript file of a package (`.js`, `.cjs`, `.mjs` under `dist`). */
function builtFiles(dir: string): string[] {
  return readdirSync(join(dir, 'dist'), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.[cm]?js$/.test(file))
    .map((file) => join(dir, 'dist', file));
}

/** The directory (relative to the package) of each third-party package esbuild copied into a file: it marks each module with its path. */
function bundledPackageDirs(code: string): string[] {
  const marker = /^\/\/ ((?:\.\.\/)+node_modules\/\.pnpm\/[^/\s]+\/node_modules\/(?:@[^/\s]+\/)?[^/\s]+)\//gm;
  return [...code.matchAll(marker)].map((match) => match[1] ?? '');
}

/** The notices a package ships: `dist/THIRD_PARTY_NOTICES.md` and, when `files` lists it, its root one. */
function shippedNotices(pkg: (typeof published)[number]): string {
  const paths = [join(pkg.dir, 'dist', 'THIRD_PARTY_NOTICES.md')];
  if (pkg.files?.includes('THIRD_PARTY_NOTICES.md')) paths.push(join(pkg.dir, 'THIRD_PARTY_NOTICES.md'));
  return paths
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path, 'utf8'))
    .join('\n');
}

/** The `## name@version` headings of a notices text. */
function noticeHeadings(text: string): string[] {
  return [...text.matchAll(/^## (\S+@\S+) \(/gm)].map((match) => match[1] ?? '');
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

  // Their licences (MIT, Blue Oak) ask that every copy carries the notice: code a build copies in
  // (the SDK's CommonJS bundle of zod, lru-cache …) and data generated from a package (@pk/prices).
  it.each(published.map((pkg) => [pkg.name, pkg] as const))(
    '%s ships the licence of every third-party package its build copied in',
    (_name, pkg) => {
      const bundled = new Set<string>();
      for (const file of builtFiles(pkg.dir)) {
        for (const path of bundledPackageDirs(readFileSync(file, 'utf8'))) {
          const manifest = JSON.parse(readFileSync(join(pkg.dir, path, 'package.json'), 'utf8')) as {
            name: string;
            version: string;
          };
          bundled.add(`${manifest.name}@${manifest.version}`);
        }
      }
      const noticed = noticeHeadings(shippedNotices(pkg));
      expect([...bundled].filter((entry) => !noticed.includes(entry))).toEqual([]);
    },
  );

  it('@pk/prices ships the licence of the price data it was generated from', async () => {
    const pkg = published.find((entry) => entry.name === '@pk/prices');
    const { PRICE_DATA_SOURCE } = (await import('@pk/prices')) as {
      PRICE_DATA_SOURCE: { package: string; version: string };
    };
    expect(pkg && noticeHeadings(shippedNotices(pkg))).toEqual([
      `${PRICE_DATA_SOURCE.package}@${PRICE_DATA_SOURCE.version}`,
    ]);
  });
});
