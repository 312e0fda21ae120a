import type { UpstreamRequest } from '../spec/upstream-request.js';

/**
 * Headers a client may never forward: hop-by-hop headers (RFC 9110 §7.6.1), message framing, the
 * host, and what the transport controls itself (`accept-encoding`). Forwarding them would break the
 * upstream connection or let a client smuggle requests.
 */
const NEVER_FORWARDED: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'content-type',
  'accept-encoding',
  'expect',
]);

/**
 * Headers that carry a provider credential (a key, a bearer token, an AWS session token). A forwarded
 * one never replaces the credential the provider request already carries: the one a virtual key,
 * an integration, a config's `api_key` or the request's own provider key supplied.
 */
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'x-amz-security-token',
]);

/** True when a header carries a provider credential (`authorization`, `x-api-key`, `api-key`, …). */
export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADERS.has(name.toLowerCase());
}

/** True when a client header may be forwarded upstream by name (`x-portkey-forward-headers`). */
export function isForwardableHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return !NEVER_FORWARDED.has(lower) && !lower.startsWith('x-portkey-');
}

/**
 * Adds the client's forwarded headers to an upstream request, as Portkey does: after the provider's
 * own headers, so a forwarded header replaces one of the same name, except a credential header
 * ({@link isCredentialHeader}), which never replaces the credential the request already carries.
 * Names are lower-cased; headers that must never be forwarded are skipped.
 */
export function withForwardedHeaders(
  upstream: UpstreamRequest,
  forwarded: Readonly<Record<string, string>> | undefined,
): UpstreamRequest {
  if (forwarded === undefined) return upstream;
  const headers: Record<string, string> = { ...upstream.headers };
  let changed = false;
  for (const [name, value] of Object.entries(forwarded)) {
    if (!isForwardableHeader(name)) continue;
    const lower = name.toLowerCase();
    if (isCredentialHeader(lower) && carriesHeader(upstream.headers, lower)) continue;
    headers[lower] = value;
    changed = true;
  }
  return changed ? { ...upstream, headers } : upstream;
}

/** True when `headers` has `lowerName`, whatever the case of its name there. */
function carriesHeader(headers: Readonly<Record<string, string>>, lowerName: string): boolean {
  for (const name of Object.keys(headers)) if (name.toLowerCase() === lowerName) return true;
  return false;
}
