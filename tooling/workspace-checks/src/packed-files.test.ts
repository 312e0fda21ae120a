import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { listWorkspacePackages } from './workspace.js';

// What `pnpm pack` puts in each published package's tarball (the list `pnpm publish` uploads), read
// with `--dry-run`: every file the manifest points a user at is in it, with the licence and the README,
// and nothing of the repository's own (sources, tests, fixtures, configs). The SDK's
// `test/packed-consumers.test.ts` installs the real tarballs and compiles a user's file against them.
const published = listWorkspacePackages().filter((pkg) => !pkg.private);
const run = promisify(execFile);

interface Manifest {
  readonly main?: string;
  readonly types?: string;
  readonly exports?: unknown;
  readonly typesVersions?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** Every file path (without `./`) an exports map, `main`, `types` or `typesVersions` names. */
function manifestTargets(manifest: Manifest): string[] {
  const targets: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') targets.push(value);
    else if (value !== null && typeof value === 'object')
      for (const child of Object.values(value)) walk(child);
  };
  walk(manifest.exports);
  walk(manifest.typesVersions);
  if (manifest.main !== undefined) targets.push(manifest.main);
  if (manifest.types !== undefined) targets.push(manifest.types);
  return [...new Set(targets.map((target) => target.replace(/^\.\//, '')))].sort();
}

/** Root files a tarball may carry beside `dist/`. */
const ROOT_FILES = new Set([
  'package.json',
  'LICENSE',
  'README.md',
  'CHANGELOG.md',
  'THIRD_PARTY_NOTICES.md',
]);
/** What a built file under `dist/` may be: code, declarations, source maps, JSON and notices. */
const BUILT_FILE = /^dist\/(?:[\w.-]+\/)*[\w.-]+\.(?:js|cjs|mjs|d\.ts|d\.cts|d\.mts|map|json|md)$/;

const packed = new Map<string, string[]>();

beforeAll(async () => {
  await Promise.all(
    published.map(async (pkg) => {
      const { stdout } = await run('pnpm', ['pack', '--dry-run', '--json'], {
        cwd: pkg.dir,
        timeout: 60_000,
      });
      const { files } = JSON.parse(stdout) as { files: { path: string }[] };
      packed.set(pkg.name, files.map((file) => file.path).sort());
    }),
  );
}, 90_000);

describe('the files of each published tarball', () => {
  it.each(published.map((pkg) => [pkg.name, pkg] as const))(
    '%s packs every file its package.json points at',
    (name, pkg) => {
      const manifest = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) as Manifest;
      const files = packed.get(name) ?? [];
      const targets = manifestTargets(manifest);
      expect(targets.length).toBeGreaterThan(2);
      expect(targets.filter((target) => !files.includes(target))).toEqual([]);
    },
  );

  it.each(published.map((pkg) => [pkg.name] as const))('%s packs its licence and README', (name) => {
    expect(packed.get(name)).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
  });

  it.each(published.map((pkg) => [pkg.name] as const))(
    '%s packs built files only: no sources, tests, fixtures or configs',
    (name) => {
      const strays = (packed.get(name) ?? []).filter(
        (path) =>
          !ROOT_FILES.has(path) &&
          (!BUILT_FILE.test(path) || /(?:\.test\.|__fixtures__|\.tsbuildinfo$)/.test(path)),
      );
      expect(strays).toEqual([]);
    },
  );

  // A map's `sources` point at `../src`, which is not packed: a debugger or `--enable-source-maps`
  // then shows the text the map carries itself (`sourcesContent`), so every source needs one.
  it.each(published.map((pkg) => [pkg.name, pkg] as const))(
    '%s: every packed source map carries the text of each source it names',
    (name, pkg) => {
      const missing: string[] = [];
      for (const path of (packed.get(name) ?? []).filter((file) => file.endsWith('.map'))) {
        const map = JSON.parse(readFileSync(join(pkg.dir, path), 'utf8')) as {
          sources: string[];
          sourcesContent?: (string | null)[];
        };
        map.sources.forEach((source, index) => {
          if (typeof map.sourcesContent?.[index] !== 'string') missing.push(`${path}: ${source}`);
        });
      }
      expect(missing).toEqual([]);
    },
  );
});
