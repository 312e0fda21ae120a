import type { StoreIssue } from '../errors.js';
import { maskSecret } from '../secret.js';
import { isMaskedSecret } from './config-secrets.js';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A secret's place in a guardrail's definition, as the JSON text of its path's segments
 * (`["checks",0,"parameters","headers","Authorization"]`): a header's name may hold any character.
 */
type SecretKey = string;

function pathOf(key: SecretKey): (string | number)[] {
  return JSON.parse(key) as (string | number)[];
}

/** `["checks",0,"parameters","headers","Authorization"]` as an issue's path: `checks[0].parameters.headers.Authorization`. */
function issuePathOf(key: SecretKey): string {
  return pathOf(key)
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`,
    )
    .join('');
}

/**
 * A URL with its user, password and query-string values as `…` (`https://h/hook?token=…`), or the
 * URL itself when it holds none of them (or is no http(s) URL: the compiler refuses it).
 */
function maskedUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return value;
  if (url.username === '' && url.password === '' && url.search === '') return value;
  const query =
    url.search === ''
      ? ''
      : `?${url.search
          .slice(1)
          .split('&')
          .map((pair) => {
            const equals = pair.indexOf('=');
            return equals === -1 ? pair : `${pair.slice(0, equals)}=${equals === pair.length - 1 ? '' : '…'}`;
          })
          .join('&')}`;
  const user = url.username === '' && url.password === '' ? '' : '…@';
  return `${url.protocol}//${user}${url.host}${url.pathname}${query}${url.hash}`;
}

/** How a read shows the secret at `key`: a header's value as `Bea…1234`, headers given as JSON text as `…`, a URL as {@link maskedUrl}. */
function maskAt(key: SecretKey, value: string): string {
  const path = pathOf(key);
  if (path[3] === 'headers') return path.length === 4 ? '…' : maskSecret(value);
  return maskedUrl(value);
}

/**
 * Takes the operator's secrets out of a guardrail's definition: in every check's `parameters`, each
 * `headers` value (an `Authorization: Bearer …`; the whole of headers given as JSON text) and the
 * user, password and query string of each URL parameter (`webhookURL`, `logURL`, `jwksUri`: a name
 * ending in URL or URI), a webhook's `?token=`. Returns the definition with each
 * replaced by its mask, and the secrets by path for the vault. A value that is already a mask stays
 * as it is (and is among the secrets, for {@link keepMaskedGuardrailSecrets} to resolve).
 */
export function separateGuardrailSecrets(definition: JsonObject): {
  masked: JsonObject;
  secrets: Record<SecretKey, string>;
} {
  const secrets: Record<SecretKey, string> = {};
  const take = (path: (string | number)[], value: string): string => {
    const key = JSON.stringify(path);
    const mask = isMaskedSecret(value) ? value : maskAt(key, value);
    if (mask === value && !isMaskedSecret(value)) return value;
    secrets[key] = value;
    return mask;
  };
  const { checks } = definition;
  if (!Array.isArray(checks)) return { masked: { ...definition }, secrets };
  const maskedChecks = checks.map((check: unknown, index) => {
    if (!isObject(check) || !isObject(check.parameters)) return check;
    const parameters: JsonObject = { ...check.parameters };
    for (const [name, value] of Object.entries(parameters)) {
      const path = ['checks', index, 'parameters', name];
      if (name === 'headers') {
        if (typeof value === 'string') parameters[name] = take(path, value);
        else if (isObject(value)) {
          parameters[name] = Object.fromEntries(
            Object.entries(value).map(([header, headerValue]) => [
              header,
              typeof headerValue === 'string' ? take([...path, header], headerValue) : headerValue,
            ]),
          );
        }
      } else if (typeof value === 'string' && /(url|uri)$/i.test(name)) {
        parameters[name] = take(path, value);
      }
    }
    return { ...check, parameters };
  });
  return { masked: { ...definition, checks: maskedChecks }, secrets };
}

/** Puts secrets taken out by {@link separateGuardrailSecrets} back in place. */
export function restoreGuardrailSecrets(masked: JsonObject, secrets: Record<SecretKey, unknown>): JsonObject {
  const restored = structuredClone(masked);
  for (const [key, value] of Object.entries(secrets)) {
    const path = pathOf(key);
    let node: unknown = restored;
    for (const segment of path.slice(0, -1)) {
      node = Array.isArray(node) ? node[Number(segment)] : isObject(node) ? node[String(segment)] : undefined;
    }
    const last = path.at(-1);
    if (isObject(node) && last !== undefined) node[String(last)] = value;
  }
  return restored;
}

/**
 * The secrets of a guardrail's new definition where some are given as the masks a read of the
 * current one showed (the console's edit, `GET` then `PUT`): each mask is replaced by the current
 * secret it masks at the same path, else by the one current secret with that mask (a check moved).
 * A mask that masks none (or several) is an issue at its path: it is not a value to send.
 */
export function keepMaskedGuardrailSecrets(
  secrets: Record<SecretKey, string>,
  current: Record<SecretKey, unknown>,
): { readonly secrets: Record<SecretKey, string>; readonly issues: readonly StoreIssue[] } {
  const kept: Record<SecretKey, string> = {};
  const issues: StoreIssue[] = [];
  for (const [key, value] of Object.entries(secrets)) {
    if (!isMaskedSecret(value)) {
      kept[key] = value;
      continue;
    }
    const same = current[key];
    const candidates = Object.entries(current).filter(
      ([currentKey, currentValue]) =>
        typeof currentValue === 'string' && maskAt(currentKey, currentValue) === value,
    );
    if (typeof same === 'string' && maskAt(key, same) === value) kept[key] = same;
    else if (candidates.length === 1) kept[key] = candidates[0]?.[1] as string;
    else
      issues.push({
        path: issuePathOf(key),
        message:
          'this is a masked value (as reads show it), not the value: send the value itself, ' +
          "or the mask the guardrail's current definition shows for it",
      });
  }
  return { secrets: kept, issues };
}
