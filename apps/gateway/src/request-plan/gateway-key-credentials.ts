import { PkError, type PlanLeaf, PROVIDER_CREDENTIAL_KEYS } from '@pk/config';
import { type GatewaySecretTest, SDK_PLACEHOLDER_KEY, stripBearer } from '@pk/headers';

/** Header names of the credential fields headers set: `aws_session_token` → `x-portkey-aws-session-token`. */
function headerOf(key: string): string {
  return key === 'api_key' ? 'authorization' : `x-portkey-${key.replaceAll('_', '-')}`;
}

/** True when a credential field's value (a string, or a key file's fields) is a gateway key. */
export function holdsGatewayKey(value: unknown, isGatewayKey: GatewaySecretTest): boolean {
  if (typeof value === 'string') {
    const bare = stripBearer(value.trim());
    return bare !== '' && bare !== SDK_PLACEHOLDER_KEY && isGatewayKey(bare);
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.values(value).some(
      (field) => typeof field === 'string' && holdsGatewayKey(field, isGatewayKey),
    );
  }
  return false;
}

function refusal(field: string, param: string): PkError {
  // The value is never repeated: it is a secret of this gateway.
  return new PkError(
    'PK_ERR_INVALID_CONFIG',
    `${field}: holds a gateway key of this gateway, which is never sent to a provider; give the provider's own credential`,
    { param },
  );
}

/**
 * Refuses a request whose credential fields ({@link PROVIDER_CREDENTIAL_KEYS}: `api_key`, the AWS keys and
 * session token, `azure_ad_token`, a service-account key file …) hold a gateway key of this gateway,
 * active or retired (the SDK's `DUMMY-KEY` placeholder aside), wherever it was put: a provider-option
 * header (`x-portkey-azure-ad-token`, `x-portkey-aws-session-token` …) or any target of an inline or
 * saved config. A 400 `PK_ERR_INVALID_CONFIG` naming the header or the config path, never the value;
 * nothing is sent. (A gateway key in `authorization`, `x-api-key` or `api-key` is skipped as a provider
 * key before this, as decision 0006 says, so a plain SDK call is not refused.) Run in plan resolution,
 * once per distinct headers and catalog snapshot.
 */
export function refuseGatewayKeyCredentials(
  headerOverrides: Readonly<Record<string, unknown>>,
  leaves: readonly PlanLeaf[],
  isGatewayKey: GatewaySecretTest,
): void {
  for (const key of PROVIDER_CREDENTIAL_KEYS) {
    if (holdsGatewayKey(headerOverrides[key], isGatewayKey)) throw refusal(headerOf(key), headerOf(key));
  }
  for (const leaf of leaves) {
    const target = leaf.target as Readonly<Record<string, unknown>>;
    for (const key of PROVIDER_CREDENTIAL_KEYS) {
      if (holdsGatewayKey(target[key], isGatewayKey))
        throw refusal(`${leaf.path}.${key}`, 'x-portkey-config');
    }
  }
}
