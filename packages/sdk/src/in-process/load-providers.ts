/** `@pk/providers`, loaded on the first in-process request (the main entry never loads it). */
export type ProvidersModule = typeof import('@pk/providers');

let loading: Promise<ProvidersModule> | undefined;

/** Loads `@pk/providers` once, with a dynamic `import()` (ESM-only: the CommonJS build must not `require` it). */
export function loadProviders(): Promise<ProvidersModule> {
  loading ??= import('@pk/providers');
  return loading;
}
