import { VERSION } from './version.js';

/** What pk says about itself on every request (the official SDK sends `portkey-<version>`). */
export const PACKAGE_VERSION_HEADER_VALUE = `pk-sdk-${VERSION}`;

/** The JavaScript runtime's name and version, as the official SDK reports them. */
export function runtimeInfo(): { readonly runtime: string; readonly runtimeVersion?: string } {
  const runtime = globalThis as { Bun?: unknown; Deno?: unknown; process?: { version?: string } };
  if (runtime.Bun !== undefined) return { runtime: 'bun' };
  if (runtime.Deno !== undefined) return { runtime: 'deno' };
  const version = runtime.process?.version;
  return version === undefined ? { runtime: 'unknown' } : { runtime: 'node', runtimeVersion: version };
}
