import { camelToSnake, type HeaderOverrides, PROVIDER_STRING_OPTION_KEYS } from '@pk/config';
import type { ParsedRequestHeaders } from '@pk/headers';

/** Header options whose config key is not the plain snake_case of the option name (as the gateway). */
const RENAMED_OPTIONS: Readonly<Record<string, string>> = {
  azureResourceName: 'resource_name',
  azureDeploymentId: 'deployment_id',
  azureApiVersion: 'api_version',
  azureExtraParams: 'azure_extra_parameters',
  amzServerSideEncryption: 'aws_server_side_encryption',
  amzServerSideEncryptionAwsKmsKeyId: 'aws_server_side_encryption_kms_key_id',
  providerFileName: 'filename',
};

const PROVIDER_OPTION_KEYS: ReadonlySet<string> = new Set(PROVIDER_STRING_OPTION_KEYS);

/**
 * The request's options as the config's header overrides, with the gateway's rules: timeout, custom
 * host and forward headers for every target; provider, key and provider options only for a config
 * with neither `provider` nor `targets`. The Portkey key repeated in `Authorization` is not a
 * provider key (`parseRequestHeaders` already skips it).
 */
export function headerOverridesOf(parsed: ParsedRequestHeaders): HeaderOverrides {
  const overrides: Record<string, unknown> = {};
  const source = parsed.options as Readonly<Record<string, unknown>>;
  for (const [option, value] of Object.entries(source)) {
    const key = RENAMED_OPTIONS[option] ?? camelToSnake(option);
    if (PROVIDER_OPTION_KEYS.has(key) && typeof value === 'string') overrides[key] = value;
  }
  if (typeof source.vertexServiceAccountJson === 'object' && source.vertexServiceAccountJson !== null) {
    overrides.vertex_service_account_json = source.vertexServiceAccountJson;
  }
  if (typeof source.requestTimeout === 'number') overrides.request_timeout = source.requestTimeout;
  if (typeof source.customHost === 'string') overrides.custom_host = source.customHost;
  if (Array.isArray(source.forwardHeaders)) overrides.forward_headers = source.forwardHeaders;
  if (typeof source.provider === 'string') overrides.provider = source.provider;
  if (typeof source.virtualKey === 'string') overrides.virtual_key = source.virtualKey;
  if (parsed.providerKey) overrides.api_key = parsed.providerKey.key;
  return overrides as HeaderOverrides;
}
