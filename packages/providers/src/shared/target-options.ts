import type { ProviderTarget } from '../spec/provider-adapter.js';

/** A non-empty string option of a target, or `undefined`. */
export function readTargetString(target: ProviderTarget, key: string): string | undefined {
  const value = target[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Joins a base URL and a path with exactly one slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
