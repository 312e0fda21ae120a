/** One step of a JSON path: an object key or an array index. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Formats a JSON path the way Portkey reports target paths: `config`, `config.targets[1].strategy.mode`.
 * Keys that are not identifiers are quoted: `config.strategy.conditions[0].query["metadata.tier"]`.
 */
export function formatConfigPath(segments: readonly PathSegment[], root = 'config'): string {
  let path = root;
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

const MAX_SHOWN_STRING = 60;

/**
 * A key that names a credential (`api_key`, `aws_secret_access_key`, `azure_ad_token`,
 * `vertex_service_account_json`, `oracle_key_passphrase` …).
 */
const CREDENTIAL_KEY =
  /api_?key|secret|token|password|passphrase|credential|authorization|private_?key|access_?key|service_?account/i;
/** `scheme://user:password@host…`: what comes before the `@` is never shown. */
const URL_USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i;

/**
 * Describes a given value for an error message: `9`, `"fallbak"`, `an array`, `nothing`. Strings
 * are cut at 60 characters, and the user and password of a URL are left out.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const safe = value.replace(URL_USERINFO, '$1…@');
    const shown = safe.length > MAX_SHOWN_STRING ? `${safe.slice(0, MAX_SHOWN_STRING)}…` : safe;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** The last key of a formatted path: `api_key` of `config.targets[0].api_key` (or `["api_key"]`). */
function lastKeyOf(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('.'), path.lastIndexOf('[')) + 1);
}

/**
 * `path: expectation, got value`: the one shape of every config error message. A string given for a
 * credential (`…api_key`, `…secret…`, `…token`, `vertex_service_account_json` …) is described, never shown.
 */
export function issueMessage(path: string, expectation: string, input: unknown): string {
  const got =
    typeof input === 'string' && CREDENTIAL_KEY.test(lastKeyOf(path))
      ? `a string of ${input.length} characters`
      : describeValue(input);
  return `${path}: ${expectation}, got ${got}`;
}

/**
 * Formats a path of canonical (snake_case) keys with the spellings the user wrote: `spellings` maps a
 * formatted canonical path to the key as written (`config.targets[0].api_key` → `apiKey`).
 */
export function formatShownPath(
  segments: readonly PropertyKey[],
  spellings: ReadonlyMap<string, string>,
): string {
  const canonical: PathSegment[] = [];
  const shown: PathSegment[] = [];
  for (const segment of segments) {
    const step = typeof segment === 'number' ? segment : String(segment);
    canonical.push(step);
    shown.push(typeof step === 'string' ? (spellings.get(formatConfigPath(canonical)) ?? step) : step);
  }
  return formatConfigPath(shown);
}
