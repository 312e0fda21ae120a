import { describe, expect, it } from 'vitest';
import {
  importedModules,
  listSourceFiles,
  listWorkspacePackages,
  packageNameOf,
  repoPath,
  type WorkspacePackage,
} from './workspace.js';

/**
 * The package edges of ARCHITECTURE §2, exactly. Runtime edges are `dependencies`; the gateway's
 * edge to the SDK is dev-only (its end-to-end tests drive the SDK); the SDK never depends on the gateway.
 */
const RUNTIME_EDGES: Record<string, readonly string[]> = {
  '@pk/config': [],
  '@pk/headers': ['@pk/config'],
  '@pk/providers': ['@pk/config'],
  '@pk/prices': [],
  // Checks and the hook runner, pure: the network only through a port (README of @pk/guardrails).
  '@pk/guardrails': ['@pk/config'],
  '@pk/sdk': ['@pk/config', '@pk/headers', '@pk/providers'],
  '@pk/store': ['@pk/config'],
  // The console's built files are served by the gateway, found at run time through the package.
  '@pk/gateway': [
    '@pk/config',
    '@pk/console',
    '@pk/guardrails',
    '@pk/headers',
    '@pk/prices',
    '@pk/providers',
    '@pk/store',
  ],
  // Static files built by Vite: nothing at run time; the config JSON Schema is bundled at build time.
  '@pk/console': [],
  // The `pk` command: the admin API over HTTP, the store itself only for init and vault rotate.
  '@pk/cli': ['@pk/store'],
};
const DEV_ONLY_EDGES: Record<string, readonly string[]> = {
  '@pk/gateway': ['@pk/sdk'],
  // Its tests run every command against the built gateway, started as a process.
  '@pk/cli': ['@pk/gateway'],
  '@pk/console': ['@pk/config'],
};
/**
 * Dev-only edges whose modules a package's sources import to bundle them at build time (the console
 * is static files: Vite copies the config JSON Schema in; nothing of @pk/config loads at run time).
 */
const BUNDLED_EDGES: Record<string, readonly string[]> = {
  '@pk/console': ['@pk/config'],
};
/** Third-party packages each pure package may import at run time (I/O libraries stay out of them). */
const ALLOWED_THIRD_PARTY: Record<string, readonly string[]> = {
  '@pk/config': ['zod', 'lru-cache', 'safe-regex2', 're2js'],
  '@pk/headers': ['zod'],
  '@pk/prices': ['zod'],
  '@pk/guardrails': ['zod', 'ajv', 'ajv-formats', 'jose', 'lru-cache'],
};
/** Only the gateway may use a web framework. */
const GATEWAY_ONLY = ['fastify', 'hono', 'express'];

const packages = listWorkspacePackages();
const byName = new Map(packages.map((pkg) => [pkg.name, pkg]));
const pkEdges = (deps: Readonly<Record<string, string>>): string[] =>
  Object.keys(deps)
    .filter((name) => name.startsWith('@pk/') && name !== '@pk/dev-config')
    .sort();

describe('package dependency edges (ARCHITECTURE §2)', () => {
  it('every package of the architecture exists', () => {
    for (const name of Object.keys(RUNTIME_EDGES)) expect(byName.has(name), name).toBe(true);
  });

  it.each(Object.entries(RUNTIME_EDGES))('%s depends at run time on exactly %j', (name, edges) => {
    const pkg = byName.get(name) as WorkspacePackage;
    expect(pkEdges(pkg.dependencies)).toEqual([...edges].sort());
    expect(pkEdges(pkg.devDependencies)).toEqual([...(DEV_ONLY_EDGES[name] ?? [])].sort());
    expect(pkEdges(pkg.peerDependencies)).toEqual([]);
  });

  it.each(packages.map((pkg) => [pkg.name, pkg] as const))(
    '%s imports only what it declares',
    (_name, pkg) => {
      const declared = new Set([
        ...Object.keys(pkg.dependencies),
        ...Object.keys(pkg.devDependencies),
        ...Object.keys(pkg.peerDependencies),
        'vitest',
        pkg.name,
      ]);
      const undeclared: string[] = [];
      for (const file of listSourceFiles(pkg.dir)) {
        for (const specifier of importedModules(file)) {
          if (specifier.startsWith('node:')) continue;
          const dependency = packageNameOf(specifier);
          if (!declared.has(dependency)) undeclared.push(`${repoPath(file)} imports ${specifier}`);
          if (dependency.startsWith('@pk/') && file.includes('/src/') && !file.endsWith('.test.ts')) {
            const allowed = RUNTIME_EDGES[pkg.name];
            const bundled = BUNDLED_EDGES[pkg.name]?.includes(dependency) ?? false;
            if (allowed && dependency !== pkg.name && !allowed.includes(dependency) && !bundled) {
              undeclared.push(`${repoPath(file)} crosses a forbidden edge to ${dependency}`);
            }
          }
        }
      }
      expect(undeclared).toEqual([]);
    },
  );

  it.each(Object.entries(ALLOWED_THIRD_PARTY))(
    '%s stays pure: no I/O library at run time',
    (name, allowed) => {
      const pkg = byName.get(name) as WorkspacePackage;
      const thirdParty = Object.keys(pkg.dependencies).filter((dep) => !dep.startsWith('@pk/'));
      expect(thirdParty.filter((dep) => !allowed.includes(dep))).toEqual([]);
    },
  );

  it('no package but the gateway uses a web framework', () => {
    const offenders = packages
      .filter((pkg) => pkg.name !== '@pk/gateway')
      .flatMap((pkg) => Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }))
      .filter((dep) => GATEWAY_ONLY.includes(dep));
    expect(offenders).toEqual([]);
  });
});

describe('published package surface (CONVENTIONS §12)', () => {
  const published = packages.filter((pkg) => !pkg.private);

  it('publishes exactly the five @pk libraries', () => {
    expect(published.map((pkg) => pkg.name).sort()).toEqual([
      '@pk/config',
      '@pk/headers',
      '@pk/prices',
      '@pk/providers',
      '@pk/sdk',
    ]);
  });

  it.each(published.map((pkg) => [pkg.name, pkg] as const))(
    '%s declares engines, exports, sideEffects and files',
    (_n, pkg) => {
      expect(pkg.engines?.node).toBe('>=20.19');
      expect(pkg.sideEffects).toBe(false);
      expect(pkg.files).toContain('dist');
      const exportsMap = pkg.exports as Record<string, unknown>;
      expect(Object.keys(exportsMap)).toContain('.');
      expect(Object.keys(exportsMap)).toContain('./package.json');
      // `types` must come first in every condition object so TypeScript resolves it.
      const checkTypesFirst = (value: unknown): void => {
        if (value && typeof value === 'object') {
          const keys = Object.keys(value);
          if (keys.includes('types')) expect(keys[0]).toBe('types');
          for (const child of Object.values(value)) checkTypesFirst(child);
        }
      };
      checkTypesFirst(exportsMap);
    },
  );
});
