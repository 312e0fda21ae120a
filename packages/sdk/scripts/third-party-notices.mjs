// Run after tsup (`pnpm build`): writes `dist/THIRD_PARTY_NOTICES.md`, the licence of every
// third-party package whose code the build copied into `dist` (the CommonJS build bundles zod,
// lru-cache, safe-regex2 and ret with @pk/config; tsup adds its `import.meta.url` shim). Their
// licences (MIT, Blue Oak) ask that copies carry the notice; a package the build only imports
// (openai, re2js, @pk/providers) is installed with its own. The list is read from the bundles
// themselves (esbuild marks each bundled module with its path), so it cannot go stale.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** esbuild's comment before each module it bundles: `// ../../node_modules/.pnpm/<store>/node_modules/<name>/…`. */
const BUNDLED_MODULE =
  /^\/\/ ((?:\.\.\/)+node_modules\/\.pnpm\/[^/\s]+\/node_modules\/(?:@[^/\s]+\/)?[^/\s]+)\//gm;

/**
 * The directories (relative to the package) of the third-party packages bundled into `code`.
 * @param {string} code a built file
 * @returns {string[]}
 */
export function bundledPackageDirs(code) {
  return [...new Set([...code.matchAll(BUNDLED_MODULE)].map((match) => match[1] ?? ''))];
}

/**
 * The notices file for the packages in `dirs` (read from disk), sorted by name.
 * @param {string} packageDir the built package's directory
 * @param {readonly string[]} dirs from `bundledPackageDirs`
 * @returns {string}
 */
export function noticesOf(packageDir, dirs) {
  const entries = dirs
    .map((dir) => {
      const root = join(packageDir, dir);
      const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
      const licenceFile = readdirSync(root).find((file) => /^(licen[cs]e|copying)(\.|$)/i.test(file));
      if (licenceFile === undefined) throw new Error(`${manifest.name}: no licence file to copy`);
      const text = readFileSync(join(root, licenceFile), 'utf8').trim();
      return { heading: `${manifest.name}@${manifest.version} (${manifest.license})`, text };
    })
    .sort((a, b) => a.heading.localeCompare(b.heading));
  return [
    '# Third-party notices',
    '',
    'The files in `dist/` include code from these packages, under their own licences.',
    ...entries.flatMap((entry) => ['', `## ${entry.heading}`, '', '```text', entry.text, '```']),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
  const dist = join(packageDir, 'dist');
  const dirs = readdirSync(dist)
    .filter((file) => /\.c?js$/.test(file))
    .flatMap((file) => bundledPackageDirs(readFileSync(join(dist, file), 'utf8')));
  const unique = [...new Set(dirs)];
  writeFileSync(join(dist, 'THIRD_PARTY_NOTICES.md'), noticesOf(packageDir, unique));
  console.log(`THIRD_PARTY_NOTICES.md: ${unique.length} bundled packages`);
}
