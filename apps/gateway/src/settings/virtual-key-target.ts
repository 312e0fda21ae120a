import type { VirtualKey } from './load-settings.js';
import { Secret } from './secret.js';

/**
 * A virtual key as a provider target record (`provider`, `api_key`, options), secrets revealed: only
 * for the call to that key's own provider. Never log the result.
 */
export function virtualKeyTarget(virtualKey: VirtualKey): Record<string, string | number | boolean> {
  const target: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(virtualKey.options)) {
    target[name] = value instanceof Secret ? value.reveal() : value;
  }
  if (virtualKey.apiKey) target.api_key = virtualKey.apiKey.reveal();
  target.provider = virtualKey.provider;
  return target;
}
