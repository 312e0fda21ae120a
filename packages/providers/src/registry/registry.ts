import { isProviderId, PkError, type ProviderId } from '@pk/config';
import { anthropicAdapter } from '../anthropic/index.js';
import { azureOpenAIAdapter } from '../azure-openai/index.js';
import { bedrockAdapter } from '../bedrock/index.js';
import { cohereAdapter } from '../cohere/index.js';
import { googleAdapter } from '../google/index.js';
import { openAIAdapter } from '../openai/index.js';
import { OPENAI_COMPATIBLE_CONFIGS, type OpenAICompatibleProviderId } from '../openai-compatible/configs.js';
import { createOpenAICompatibleAdapter } from '../openai-compatible/index.js';
import type { ProviderAdapter } from '../spec/provider-adapter.js';
import { vertexAIAdapter } from '../vertex-ai/index.js';

/** The provider ids pk has adapters for (a subset of Portkey's {@link ProviderId}s). */
export type SupportedProviderId = Extract<
  ProviderId,
  | 'openai'
  | 'azure-openai'
  | 'anthropic'
  | 'cohere'
  | 'google'
  | 'vertex-ai'
  | 'bedrock'
  | OpenAICompatibleProviderId
>;

const compatible = Object.fromEntries(
  OPENAI_COMPATIBLE_CONFIGS.map((config) => [config.id, createOpenAICompatibleAdapter(config)]),
) as Record<OpenAICompatibleProviderId, ProviderAdapter>;

/**
 * Every adapter by provider id. Typed with `satisfies`, so a supported id without an adapter (or an
 * adapter missing a role) is a type error.
 */
export const PROVIDER_ADAPTERS = {
  openai: openAIAdapter,
  'azure-openai': azureOpenAIAdapter,
  anthropic: anthropicAdapter,
  cohere: cohereAdapter,
  google: googleAdapter,
  'vertex-ai': vertexAIAdapter,
  bedrock: bedrockAdapter,
  ...compatible,
} as const satisfies Record<SupportedProviderId, ProviderAdapter>;

/** The supported ids, in registry order. */
export const SUPPORTED_PROVIDER_IDS = Object.keys(PROVIDER_ADAPTERS) as SupportedProviderId[];

/** True when pk has an adapter for `id`. */
export function isSupportedProviderId(id: string): id is SupportedProviderId {
  return Object.hasOwn(PROVIDER_ADAPTERS, id);
}

/**
 * The adapter for a provider id. Throws `PkError` `PK_ERR_PROVIDER_NOT_SUPPORTED` for a Portkey id pk
 * has no adapter for, `PK_ERR_INVALID_PROVIDER` for an unknown id, `PK_ERR_MISSING_PROVIDER` for none.
 */
export function getProviderAdapter(id: string): ProviderAdapter {
  if (isSupportedProviderId(id)) return PROVIDER_ADAPTERS[id];
  if (id === '')
    throw new PkError('PK_ERR_MISSING_PROVIDER', 'the target names no provider', { param: 'provider' });
  if (isProviderId(id)) {
    throw new PkError('PK_ERR_PROVIDER_NOT_SUPPORTED', `pk has no adapter for provider '${id}' yet`, {
      param: 'provider',
    });
  }
  throw new PkError('PK_ERR_INVALID_PROVIDER', `unknown provider '${id}'`, { param: 'provider' });
}
