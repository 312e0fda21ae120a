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

/**
 * Picks the provider key: `authorization` (with `Bearer ` removed), else `x-api-key`, else `api-key`.
 * A value equal to the gateway key is skipped (the official SDK sends the Portkey key as
 * `Authorization: Bearer <key>` on its wrapped calls), and so is the SDK's `DUMMY-KEY` placeholder.
 */
export function selectProviderKey(headers: {
  readonly authorization?: string | undefined;
  readonly xApiKey?: string | undefined;
  readonly apiKey?: string | undefined;
  readonly gatewayKey?: string | undefined;
}): ProviderKey | undefined {
  const candidates: readonly [string | undefined, ProviderKeyHeader][] = [
    [headers.authorization === undefined ? undefined : stripBearer(headers.authorization), 'authorization'],
    [headers.xApiKey, 'x-api-key'],
    [headers.apiKey, 'api-key'],
  ];
  for (const [key, header] of candidates) {
    if (key === undefined || key === '' || key === SDK_PLACEHOLDER_KEY || key === headers.gatewayKey)
      continue;
    return { key, header };
  }
  return undefined;
}

/** `Bearer <key>` → `<key>` (scheme case-insensitive); any other value unchanged. */
export function stripBearer(value: string): string {
  return value.length > 7 && value.slice(0, 7).toLowerCase() === 'bearer ' ? value.slice(7).trim() : value;
}
