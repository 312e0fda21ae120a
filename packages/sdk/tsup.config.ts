import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { defineConfig, type Options } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const common: Options = {
  entry: { index: 'src/index.ts', 'in-process': 'src/in-process/index.ts' },
  dts: true,
  sourcemap: true,
  target: 'node20',
  define: { __PACKAGE_VERSION__: JSON.stringify(version) },
};

/**
 * In the CommonJS build, the in-process entry takes the client class from `./index.cjs` instead of
 * bundling a second copy (so `instanceof` holds across both entries). tsup's CommonJS code splitting
 * is not used: it would turn the lazy `import('@pk/providers')` into a `require`.
 */
const shareClientWithMainEntry: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'share-client-with-main-entry',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/portkey-client\.js$/ }, (args) =>
      args.importer.includes('in-process') ? { path: './index.cjs', external: true } : undefined,
    );
  },
};

/**
 * Third-party code bundled into the CommonJS build is mapped to the JavaScript esbuild read, whose
 * text the map carries. Without this esbuild follows a dependency's own source map to sources it
 * does not ship (ret, under safe-regex2, maps to `lib/*.ts`), and the published map would name
 * files that exist nowhere, with no text for them.
 */
const thirdPartyCodeWithoutInputMaps: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'third-party-code-without-input-maps',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/].*\.[cm]?js$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replace(/^\/\/# sourceMappingURL=.*$/gm, ''),
      loader: 'js',
    }));
  },
};

export default defineConfig([
  // ESM: every dependency stays an import; both entries share one chunk.
  { ...common, format: ['esm'], splitting: true, clean: true },
  // CommonJS: @pk/config and @pk/headers (ESM-only) are bundled in, with their pure dependencies
  // (pnpm does not let this package resolve them by name), so `require('@pk/sdk')` never requires
  // ESM. @pk/providers (also ESM-only) is loaded by the in-process entry with a lazy `import()`.
  {
    ...common,
    format: ['cjs'],
    splitting: false,
    noExternal: [/^@pk\/(config|headers)(\/|$)/, 'zod', 'lru-cache', 'safe-regex2'],
    // @pk/config loads re2js (a `$regex` condition's engine) with `createRequire(import.meta.url)`:
    // the shim gives `import.meta.url` its CommonJS meaning, and re2js is this package's dependency.
    shims: true,
    external: ['@pk/providers', 'openai', 're2js'],
    esbuildPlugins: [shareClientWithMainEntry, thirdPartyCodeWithoutInputMaps],
  },
]);
