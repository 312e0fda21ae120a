import { PROVIDER_CREDENTIAL_KEYS } from '@pk/config';
import type { GatewaySecretTest } from '@pk/headers';
import { holdsGatewayKey } from './gateway-key-credentials.js';

/** The credentials a virtual key or an integration stores: its provider key and its options. */
export interface StoredCredentials {
  readonly apiKey?: unknown;
  readonly options?: Readonly<Record<string, unknown>> | undefined;
}

/** A stored value as text: a string, or what a `Secret` of the settings file or the vault holds. */
function plainOf(value: unknown): unknown {
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { reveal?: unknown }).reveal === 'function'
  )
    return (value as { reveal: () => unknown }).reveal();
  return value;
}

/** A service-account key file kept as its JSON text is looked into field by field. */
function holds(value: unknown, isGatewayKey: GatewaySecretTest): boolean {
  const plain = plainOf(value);
  if (holdsGatewayKey(plain, isGatewayKey)) return true;
  if (typeof plain !== 'string' || !plain.trimStart().startsWith('{')) return false;
  try {
    return holdsGatewayKey(JSON.parse(plain) as unknown, isGatewayKey);
  } catch {
    return false;
  }
}

/**
 * The first credential field of a virtual key or an integration about to be stored that holds a gateway
 * key of this gateway (`api_key`, or an option of {@link PROVIDER_CREDENTIAL_KEYS}: `aws_session_token`
 * …), or undefined. Such a key would send the gateway key upstream on every call through it, which
 * requests may never do (decision 0006), so the admin API and the settings file refuse it.
 */
export function gatewayKeyCredentialField(
  credentials: StoredCredentials,
  isGatewayKey: GatewaySecretTest,
): string | undefined {
  if (holds(credentials.apiKey, isGatewayKey)) return 'api_key';
  const options = credentials.options ?? {};
  for (const key of PROVIDER_CREDENTIAL_KEYS) {
    if (key !== 'api_key' && holds(options[key], isGatewayKey)) return key;
  }
  return undefined;
}
