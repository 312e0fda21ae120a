import { PROVIDER_OPTION_KEYS } from '@pk/config';
import { isCredentialOption, maskSecret } from '../secret.js';

/** Target fields of a config that hold credentials: `api_key` and the credential provider options. */
export const CONFIG_CREDENTIAL_FIELDS: ReadonlySet<string> = new Set([
  'api_key',
  ...PROVIDER_OPTION_KEYS.filter(isCredentialOption),
]);

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Takes the credentials out of a (normalised, snake_case) config: every target's `api_key` and
 * credential options, at any depth of `targets`. Returns the config with each replaced by its
 * masked form, and the credentials by path (`targets.0.api_key`) for the vault.
 */
export function separateConfigSecrets(config: JsonObject): { masked: JsonObject; secrets: JsonObject } {
  const secrets: JsonObject = {};
  const visit = (node: JsonObject, path: readonly string[]): JsonObject => {
    const copy: JsonObject = { ...node };
    for (const [field, value] of Object.entries(copy)) {
      if (!CONFIG_CREDENTIAL_FIELDS.has(field) || value === undefined) continue;
      secrets[[...path, field].join('.')] = value;
      copy[field] = typeof value === 'string' ? maskSecret(value) : '…';
    }
    if (Array.isArray(copy.targets)) {
      copy.targets = copy.targets.map((target: unknown, index) =>
        isObject(target) ? visit(target, [...path, 'targets', String(index)]) : target,
      );
    }
    return copy;
  };
  return { masked: visit(config, []), secrets };
}

/** Puts credentials taken out by {@link separateConfigSecrets} back in place. */
export function restoreConfigSecrets(masked: JsonObject, secrets: JsonObject): JsonObject {
  const restored = structuredClone(masked);
  for (const [path, value] of Object.entries(secrets)) {
    const segments = path.split('.');
    let node: unknown = restored;
    for (const segment of segments.slice(0, -1)) {
      node = Array.isArray(node) ? node[Number(segment)] : isObject(node) ? node[segment] : undefined;
    }
    const last = segments.at(-1);
    if (isObject(node) && last !== undefined) node[last] = value;
  }
  return restored;
}
