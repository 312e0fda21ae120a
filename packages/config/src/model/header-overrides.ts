import type { GuardrailEntry } from '../schema/hooks.js';
import type { providerOptionsShape } from '../schema/provider-options.js';
import type { ConfigTarget } from '../schema/target.js';

type ProviderOptionKey = keyof typeof providerOptionsShape;

/** Provider-facing options of a target other than `provider`, `api_key`, `virtual_key`, `custom_host`. */
export type ProviderOptions = Pick<ConfigTarget, ProviderOptionKey>;

/**
 * Request-header values that take part in resolving a config (behaviour reference §3.6), snake_case
 * like the config keys they stand for: `x-portkey-request-timeout` → `request_timeout`,
 * `x-portkey-provider` → `provider`, `Authorization: Bearer …` → `api_key`, provider headers
 * (`x-portkey-azure-resource-name` …) → the provider options.
 */
export type HeaderOverrides = {
  readonly [K in ProviderOptionKey]?: ProviderOptions[K] | undefined;
} & {
  /** Per-attempt timeout, ms: beats the config's. */
  readonly request_timeout?: number | undefined;
  /** Provider base URL: beats the config's (validate it with `checkCustomHost` first). */
  readonly custom_host?: string | undefined;
  /** Client headers forwarded to the provider: beat the config's. */
  readonly forward_headers?: readonly string[] | undefined;
  /** Used only when the config has neither `provider` nor `targets`. */
  readonly provider?: string | undefined;
  /** Used only when the config has neither `provider` nor `targets`. */
  readonly api_key?: string | undefined;
  /** Used only when the config has neither `provider` nor `targets`. */
  readonly virtual_key?: string | undefined;
  /** `x-portkey-default-input-guardrails`: beat the config's `default_input_guardrails`. */
  readonly default_input_guardrails?: readonly GuardrailEntry[] | undefined;
  /** `x-portkey-default-output-guardrails`: beat the config's `default_output_guardrails`. */
  readonly default_output_guardrails?: readonly GuardrailEntry[] | undefined;
};
