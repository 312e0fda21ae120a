// Run after tsup (`pnpm build`): makes the CommonJS declarations (`dist/*.d.cts`) honest about the
// ESM-only packages they name. tsup writes `import { Config } from '@pk/config'` into them, which a
// CommonJS consumer under `module: node16`/`node18` reads as `require('@pk/config')` of an ES module
// (TS1479). The runtime never does that (the CommonJS build bundles @pk/config and @pk/headers, and
// loads @pk/providers with `import()`), so the declarations import those types with
// `resolution-mode: "import"` instead: one set of types for ESM and CommonJS consumers.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const RESOLUTION_MODE = "with { 'resolution-mode': 'import' }";

/**
 * The package a bare module specifier names (`@pk/config/cache` → `@pk/config`), or `undefined` for
 * a relative one.
 * @param {string} specifier
 * @returns {string | undefined}
 */
export function packageNameOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * True for a package that only ships ES modules: `"type": "module"` and no `require` condition in
 * its exports map.
 * @param {{ type?: string, exports?: unknown }} manifest its package.json
 * @returns {boolean}
 */
export function isEsmOnlyPackage(manifest) {
  return manifest.type === 'module' && !JSON.stringify(manifest.exports ?? {}).includes('"require"');
}

/**
 * Rewrites the text of one `.d.cts` file: every import from an ESM-only package becomes a type-only
 * import with `resolution-mode: "import"`, every re-export a type-only re-export with it, and side-effect
 * imports of such packages (which declarations do not need) are dropped.
 * @param {string} text
 * @param {{ isEsmOnly: (specifier: string) => boolean, values: ReadonlySet<string> }} options
 *   `values`: names the file's CommonJS twin exports at run time. Re-exporting one of them from an
 *   ESM-only package would make it type-only for consumers, so it is refused: re-export such a value
 *   through a local `const` (as `src/pk-error.ts` does).
 * @returns {string}
 */
export function rewriteCjsDeclarations(text, { isEsmOnly, values }) {
  return text
    .replace(/^import '([^']+)';\n/gm, (line, specifier) => (isEsmOnly(specifier) ? '' : line))
    .replace(/^(import|export) ([^;]*?) from '([^']+)';$/gm, (statement, keyword, clause, specifier) => {
      if (!isEsmOnly(specifier)) return statement;
      const bindings = clause.replace(/^type\s+/, '');
      if (keyword === 'import' && /^\w+\s*,/.test(bindings))
        throw new Error(`cannot make a default and named import type-only: ${statement}`);
      if (keyword === 'export') {
        if (bindings.startsWith('*')) throw new Error(`cannot check the names of ${statement}`);
        for (const name of exportedNames(bindings)) {
          if (values.has(name))
            throw new Error(
              `${name} is a value re-exported from the ESM-only ${specifier}: export it through a local const`,
            );
        }
      }
      return `${keyword} type ${bindings} from '${specifier}' ${RESOLUTION_MODE};`;
    });
}

/**
 * The names an `{ a, b as c }` export clause gives consumers.
 * @param {string} bindings
 * @returns {string[]}
 */
function exportedNames(bindings) {
  return bindings
    .replace(/[{}]/g, '')
    .split(',')
    .map((binding) => binding.trim().replace(/^type\s+/, ''))
    .filter((binding) => binding.length > 0)
    .map((binding) => binding.split(/\s+as\s+/).at(-1) ?? binding);
}

/**
 * Rewrites every `.d.cts` file in `dist`; a package counts as ESM-only by the package.json found in
 * `node_modules` from `packageDir` up.
 * @param {{ dist: string, packageDir: string }} options
 * @returns {string[]} the files changed
 */
export function fixCjsDeclarations({ dist, packageDir }) {
  /** @type {Map<string, boolean>} */
  const esmOnly = new Map();
  const isEsmOnly = (/** @type {string} */ specifier) => {
    const name = packageNameOf(specifier);
    if (name === undefined) return false;
    let known = esmOnly.get(name);
    if (known === undefined) {
      known = isEsmOnlyPackage(JSON.parse(readFileSync(manifestPath(packageDir, name), 'utf8')));
      esmOnly.set(name, known);
    }
    return known;
  };
  const require = createRequire(join(packageDir, 'package.json'));
  const changed = [];
  for (const file of readdirSync(dist).filter((name) => name.endsWith('.d.cts'))) {
    const twin = join(dist, file.replace(/\.d\.cts$/, '.cjs'));
    const values = new Set(existsSync(twin) ? Object.keys(require(twin)) : []);
    const path = join(dist, file);
    const text = readFileSync(path, 'utf8');
    const rewritten = rewriteCjsDeclarations(text, { isEsmOnly, values });
    if (rewritten !== text) {
      writeFileSync(path, rewritten);
      changed.push(file);
    }
  }
  return changed;
}

/**
 * @param {string} from
 * @param {string} name
 * @returns {string}
 */
function manifestPath(from, name) {
  for (let directory = from; ; directory = dirname(directory)) {
    const candidate = join(directory, 'node_modules', name, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(directory) === directory) throw new Error(`${name} is not installed above ${from}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const packageDir = fileURLToPath(new URL('..', import.meta.url));
  const changed = fixCjsDeclarations({ dist: join(packageDir, 'dist'), packageDir });
  process.stdout.write(
    `CommonJS declarations importing ESM-only packages by resolution-mode: ${changed.join(', ')}\n`,
  );
}
