/** The package a bare module specifier names (`@pk/config/cache` → `@pk/config`); `undefined` if relative. */
export function packageNameOf(specifier: string): string | undefined;

/** True for a package that only ships ES modules: `"type": "module"` and no `require` condition. */
export function isEsmOnlyPackage(manifest: { type?: string; exports?: unknown }): boolean;

/**
 * Rewrites one `.d.cts` text: imports and re-exports from ESM-only packages become type-only with
 * `resolution-mode: "import"`; side-effect imports of them are dropped. Throws for a re-exported
 * run-time value (`values`), which would become type-only.
 */
export function rewriteCjsDeclarations(
  text: string,
  options: { isEsmOnly: (specifier: string) => boolean; values: ReadonlySet<string> },
): string;

/** Rewrites every `.d.cts` file in `dist`; returns the names of the files changed. */
export function fixCjsDeclarations(options: { dist: string; packageDir: string }): string[];
