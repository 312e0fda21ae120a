import type { UNPREFIXED_REQUEST_HEADERS } from './header-names.js';

/** The un-prefixed headers that may carry a provider key, in order of precedence. */
export type ProviderKeyHeader =
  | typeof UNPREFIXED_REQUEST_HEADERS.authorization
  | typeof UNPREFIXED_REQUEST_HEADERS.xApiKey
  | typeof UNPREFIXED_REQUEST_HEADERS.apiKey;

/** A provider key found in the request headers, and the header it came from. */
export interface ProviderKey {
  /** The key, without a `Bearer ` prefix. */
  readonly key: string;
  /** The header it was read from. */
  readonly header: ProviderKeyHeader;
}

/** What the official SDK's wrapped calls send as `Authorization` when no key is configured (§10.3). */
export const SDK_PLACEHOLDER_KEY = 'DUMMY-KEY';

/** Tells whether a value a client sent is a secret of the gateway (one of its own keys). */
export type GatewaySecretTest = (value: string) => boolean;

/**
 * Picks the provider key: `authorization` (with `Bearer ` removed), else `x-api-key`, else `api-key`.
 * A value equal to the gateway key is skipped (the official SDK sends the Portkey key as
 * `Authorization: Bearer <key>` on its wrapped calls), and so is the SDK's `DUMMY-KEY` placeholder.
 * The gateway, which knows all its keys, passes `isGatewaySecret`: a value it accepts is skipped too,
 * and the next header is tried, so no gateway key (another team's, an admin's, a revoked one) is ever
 * taken for a provider key. With every candidate skipped there is no provider key.
 */
export function selectProviderKey(headers: {
  readonly authorization?: string | undefined;
  readonly xApiKey?: string | undefined;
  readonly apiKey?: string | undefined;
  readonly gatewayKey?: string | undefined;
  readonly isGatewaySecret?: GatewaySecretTest | undefined;
}): ProviderKey | undefined {
  const { authorization, xApiKey, apiKey } = headers;
  if (authorization !== undefined) {
    const key = stripBearer(authorization);
    if (isCandidate(key, headers)) return { key, header: 'authorization' };
  }
  if (xApiKey !== undefined && isCandidate(xApiKey, headers)) return { key: xApiKey, header: 'x-api-key' };
  if (apiKey !== undefined && isCandidate(apiKey, headers)) return { key: apiKey, header: 'api-key' };
  return undefined;
}

function isCandidate(
  key: string,
  headers: {
    readonly gatewayKey?: string | undefined;
    readonly isGatewaySecret?: GatewaySecretTest | undefined;
  },
): boolean {
  if (key === '' || key === SDK_PLACEHOLDER_KEY || key === headers.gatewayKey) return false;
  return headers.isGatewaySecret === undefined || !headers.isGatewaySecret(key);
}

/**
 * `Bearer <key>` → `<key>` (scheme case-insensitive); `Bearer` alone (what `Bearer $KEY` becomes with
 * the variable unset: HTTP drops the trailing space) → `''`, no key; any other value unchanged.
 */
export function stripBearer(value: string): string {
  if (value.trim().toLowerCase() === 'bearer') return '';
  return value.length > 7 && value.slice(0, 7).toLowerCase() === 'bearer ' ? value.slice(7).trim() : value;
}
