import { camelToSnake, type HeaderOverrides, PROVIDER_STRING_OPTION_KEYS } from '@pk/config';
import type { ParsedRequestHeaders } from './parse-request-headers.js';
import { type GatewaySecretTest, selectProviderKey } from './provider-key.js';

/** Header options whose config key is not the plain snake_case of the option name. */
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
 * Turns the parsed request headers into the config's header overrides (decision 0006), as the
 * gateway and the SDK's in-process mode both apply them: timeout,
 * custom host, forward headers and default guardrails for every target; provider, credentials and provider options only
 * for a config that has neither `provider` nor `targets` (`resolveConfig` applies that rule).
 * `Authorization` is a provider key only when it is not the gateway key itself, and no header is when
 * `isGatewaySecret` says its value is a gateway secret: the next one is tried (`selectProviderKey`).
 */
export function headerOverridesOf(
  parsed: ParsedRequestHeaders,
  options: {
    readonly authorizationIsGatewayKey?: boolean;
    /** The gateway's test of its own keys (active or retired); a value it accepts is never `api_key`. */
    readonly isGatewaySecret?: GatewaySecretTest | undefined;
  } = {},
): HeaderOverrides {
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
  // Guardrails every target runs (behaviour reference §3.5), validated by the gateway's guardrails.
  if (Array.isArray(source.defaultInputGuardrails))
    overrides.default_input_guardrails = source.defaultInputGuardrails;
  if (Array.isArray(source.defaultOutputGuardrails))
    overrides.default_output_guardrails = source.defaultOutputGuardrails;
  const providerKey =
    options.authorizationIsGatewayKey !== true && options.isGatewaySecret === undefined
      ? parsed.providerKey
      : // Chosen again: Authorization carried the gateway key, or some header may carry another one.
        selectProviderKey({
          authorization:
            options.authorizationIsGatewayKey === true ? undefined : parsed.options.Authorization,
          xApiKey: parsed.unprefixed['x-api-key'],
          apiKey: parsed.unprefixed['api-key'],
          gatewayKey: parsed.options.apiKey,
          isGatewaySecret: options.isGatewaySecret,
        });
  if (providerKey) overrides.api_key = providerKey.key;
  return overrides as HeaderOverrides;
}
