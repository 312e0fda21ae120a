import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The repository root (this file lives in tooling/workspace-checks/src). */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/** What the dependency test needs from one workspace package. */
export interface WorkspacePackage {
  readonly name: string;
  readonly dir: string;
  readonly private: boolean;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
  readonly peerDependencies: Readonly<Record<string, string>>;
  readonly engines?: Readonly<Record<string, string>>;
  readonly exports?: unknown;
  readonly sideEffects?: unknown;
  readonly files?: readonly string[];
}

/** Reads every package under packages/, apps/, tooling/ and examples/. */
export function listWorkspacePackages(): WorkspacePackage[] {
  const packages: WorkspacePackage[] = [];
  for (const group of ['packages', 'apps', 'tooling', 'examples']) {
    const groupDir = join(REPO_ROOT, group);
    for (const entry of readdirSync(groupDir)) {
      const manifestPath = join(groupDir, entry, 'package.json');
      let text: string;
      try {
        text = readFileSync(manifestPath, 'utf8');
      } catch {
        continue;
      }
      const manifest = JSON.parse(text) as Partial<WorkspacePackage> & { name: string };
      packages.push({
        name: manifest.name,
        dir: join(groupDir, entry),
        private: manifest.private === true,
        dependencies: manifest.dependencies ?? {},
        devDependencies: manifest.devDependencies ?? {},
        peerDependencies: manifest.peerDependencies ?? {},
        ...(manifest.engines ? { engines: manifest.engines } : {}),
        ...(manifest.exports ? { exports: manifest.exports } : {}),
        ...(manifest.sideEffects === undefined ? {} : { sideEffects: manifest.sideEffects }),
        ...(manifest.files ? { files: manifest.files } : {}),
      });
    }
  }
  return packages;
}

/** Every .ts file under `dir/src` (tests included), as absolute paths. */
export function listSourceFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current)) {
      if (entry === 'node_modules' || entry === 'dist' || entry === '__fixtures__') continue;
      const path = join(current, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.ts') || entry.endsWith('.mts')) files.push(path);
    }
  };
  for (const sub of ['src', 'test']) {
    try {
      walk(join(dir, sub));
    } catch {
      // the folder does not exist
    }
  }
  return files;
}

/** Static `import … from …` / `export … from …` statements (multi-line ones included) and side-effect imports. */
const staticImportPattern =
  /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;
/** Dynamic `import(…)` and `require(…)` calls with a literal specifier. */
const dynamicImportPattern = /\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The bare module specifiers (`zod`, `@pk/config/cache`, `node:fs`) a source file imports. */
export function importedModules(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...[...text.matchAll(staticImportPattern)].map((match) => match[1] ?? match[2] ?? ''),
    ...[...text.matchAll(dynamicImportPattern)].map((match) => match[1] ?? ''),
  ];
  // `import('${specifier}')` inside a template literal is a message about an import, not one.
  return specifiers.filter(
    (specifier) =>
      specifier !== '' &&
      !specifier.startsWith('.') &&
      !specifier.startsWith('/') &&
      !specifier.includes('${'),
  );
}

/** The package name of a specifier: `@pk/config/cache` → `@pk/config`, `lru-cache` → `lru-cache`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Path relative to the repo, for readable failures. */
export function repoPath(path: string): string {
  return relative(REPO_ROOT, path);
}
