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

/** True when a client header may be forwarded upstream by name (`x-portkey-forward-headers`). */
export function isForwardableHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return !NEVER_FORWARDED.has(lower) && !lower.startsWith('x-portkey-');
}

/**
 * Adds the client's forwarded headers to an upstream request, as Portkey does: after the provider's
 * own headers, so a forwarded header replaces one of the same name. Names are lower-cased; headers
 * that must never be forwarded are skipped.
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
    headers[name.toLowerCase()] = value;
    changed = true;
  }
  return changed ? { ...upstream, headers } : upstream;
}
