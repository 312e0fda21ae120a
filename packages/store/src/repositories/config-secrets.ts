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

/** Whether a credential value is a mask a read showed (`sk-…abcd`, `…`), never a real credential. */
export function isMaskedSecret(value: unknown): boolean {
  return typeof value === 'string' && value.includes('…');
}

/** `targets.0.api_key` as a config path: `config.targets[0].api_key`. */
export function configPathOf(secretPath: string): string {
  return `config.${secretPath}`.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}

/**
 * The credentials of a new version where some are given as the masks a read of the current
 * version showed (`retrieve`, change a field, `update` with what came back): each mask is replaced
 * by the current credential it masks at the same path, else by the one current credential with that
 * mask, so the documented "retrieve, then update" keeps the keys. A mask that masks no current
 * credential (or several) is an issue at its path: it cannot be sent to a provider as a key.
 */
export function keepMaskedSecrets(
  secrets: JsonObject,
  current: JsonObject,
): { readonly secrets: JsonObject; readonly issues: readonly { path: string; message: string }[] } {
  const byMask = new Map<string, unknown[]>();
  for (const value of Object.values(current)) {
    if (typeof value !== 'string') continue;
    const mask = maskSecret(value);
    byMask.set(mask, [...(byMask.get(mask) ?? []), value]);
  }
  const kept: JsonObject = {};
  const issues: { path: string; message: string }[] = [];
  for (const [path, value] of Object.entries(secrets)) {
    if (!isMaskedSecret(value)) {
      kept[path] = value;
      continue;
    }
    const same = current[path];
    const candidates = byMask.get(value as string) ?? [];
    if (typeof same === 'string' && maskSecret(same) === value) kept[path] = same;
    else if (candidates.length === 1) kept[path] = candidates[0];
    else
      issues.push({
        path: configPathOf(path),
        message:
          'this is a masked credential (as reads show it), not a credential: send the credential itself, ' +
          "or the mask the config's current version shows for it",
      });
  }
  return { secrets: kept, issues };
}
