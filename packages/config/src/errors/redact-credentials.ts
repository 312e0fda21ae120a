/**
 * The one redaction of credentials out of text pk passes on from elsewhere: a provider's error
 * answer (`@pk/providers`), a guardrail webhook's answer (`@pk/guardrails`). Whatever quotes a
 * credential the call used gets {@link REDACTED} in its place, before the client, the request log
 * or the server log sees it.
 */

/** What a credential's value becomes in any text pk passes on. */
export const REDACTED = '[redacted]';

/**
 * Credentials shorter than this are left alone: redacting `abc` would mangle any message containing
 * those letters, and no provider or webhook issues credentials that short.
 */
export const MIN_CREDENTIAL_LENGTH = 8;

const AUTH_SCHEME = /^(bearer|basic)\s+/i;

/**
 * Adds `value` to `found` as a credential when long enough: trimmed, and also without a leading
 * `Bearer ` or `Basic ` (a header's value), so either form is redacted.
 */
export function addCredential(found: Set<string>, value: unknown): void {
  if (typeof value !== 'string') return;
  const trimmed = value.trim();
  if (trimmed.length >= MIN_CREDENTIAL_LENGTH) found.add(trimmed);
  const bare = trimmed.replace(AUTH_SCHEME, '');
  if (bare !== trimmed && bare.length >= MIN_CREDENTIAL_LENGTH) found.add(bare);
}

/** The credentials of a set, longest first, so a value containing another is redacted whole. */
export function longestFirst(found: ReadonlySet<string>): readonly string[] {
  return [...found].sort((a, b) => b.length - a.length);
}

/**
 * `text` with every credential replaced by {@link REDACTED}: as written, as escaped inside a JSON
 * string (`\/`, `\n`), and a credential's leading part cut off at the end of the text (a vendor body
 * shortened to its first characters). `credentials` longest first.
 */
export function redactCredentials(text: string, credentials: readonly string[]): string {
  let result = text;
  for (const credential of credentials) {
    result = replaceAll(result, credential);
    const escaped = JSON.stringify(credential).slice(1, -1);
    if (escaped !== credential) result = replaceAll(result, escaped);
    const slashes = escaped.replaceAll('/', '\\/');
    if (slashes !== escaped) result = replaceAll(result, slashes);
    result = redactCutTail(result, credential);
  }
  return result;
}

function replaceAll(text: string, credential: string): string {
  return text.includes(credential) ? text.split(credential).join(REDACTED) : text;
}

/** The text with a trailing start of `credential` (at least the minimum length) redacted. */
function redactCutTail(text: string, credential: string): string {
  const longest = Math.min(credential.length - 1, text.length);
  for (let length = longest; length >= MIN_CREDENTIAL_LENGTH; length -= 1) {
    if (text.endsWith(credential.slice(0, length))) return text.slice(0, text.length - length) + REDACTED;
  }
  return text;
}

/** A JSON value with {@link redactCredentials} applied to every string in it, keys included (a copy). */
export function redactCredentialsInJson(value: unknown, credentials: readonly string[]): unknown {
  if (typeof value === 'string') return redactCredentials(value, credentials);
  if (Array.isArray(value)) return value.map((item) => redactCredentialsInJson(item, credentials));
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      copy[redactCredentials(key, credentials)] = redactCredentialsInJson(item, credentials);
    }
    return copy;
  }
  return value;
}
