import { z } from 'zod';

/**
 * Every provider id Portkey's gateway accepts in `x-portkey-provider` / config `provider`
 * (open-source 1.15.2 `VALID_PROVIDERS`, 74 ids). pk types its adapter registry on the subset it has
 * adapters for (`@pk/providers`); a known id without an adapter is a 400 `PK_ERR_PROVIDER_NOT_SUPPORTED`,
 * an unknown id is a 400 `PK_ERR_INVALID_PROVIDER`.
 */
export const PROVIDER_IDS = [
  'openai',
  'cohere',
  'anthropic',
  'azure-openai',
  'huggingface',
  'anyscale',
  'palm',
  'together-ai',
  'google',
  'vertex-ai',
  'perplexity-ai',
  'mistral-ai',
  'deepinfra',
  'ncompass',
  'stability-ai',
  'nomic',
  'ollama',
  'ai21',
  'bedrock',
  'groq',
  'segmind',
  'jina',
  'fireworks-ai',
  'workers-ai',
  'reka-ai',
  'moonshot',
  'openrouter',
  'lingyi',
  'zhipu',
  'novita-ai',
  'monsterapi',
  'deepseek',
  'predibase',
  'triton',
  'voyage',
  'azure-ai',
  'github',
  'deepbricks',
  'siliconflow',
  'cerebras',
  'inference-net',
  'sambanova',
  'lemonfox-ai',
  'upstage',
  'lambda',
  'dashscope',
  'x-ai',
  'qdrant',
  'sagemaker',
  'nebius',
  'recraft-ai',
  'milvus',
  'replicate',
  'lepton',
  'kluster-ai',
  'nscale',
  'hyperbolic',
  'bytez',
  'featherless-ai',
  'krutrim',
  '302ai',
  'cometapi',
  'matterai',
  'meshy',
  'nextbit',
  'tripo3d',
  'modal',
  'z-ai',
  'oracle',
  'iointelligence',
  'aibadgr',
  'ovhcloud',
  'portkey',
  'cortex',
] as const;

/** One of Portkey's provider ids. */
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** zod schema for a {@link ProviderId}. */
export const providerIdSchema = z.enum(PROVIDER_IDS);

const providerIdSet: ReadonlySet<string> = new Set(PROVIDER_IDS);

/** True when `value` is one of Portkey's provider ids. */
export function isProviderId(value: string): value is ProviderId {
  return providerIdSet.has(value);
}

/**
 * A virtual-key id: lower-case letters, digits, `-` and `_`, 1–64 characters, starting with a letter
 * or digit. The same pattern applies to the `@slug` provider form and the `@slug/model` model form.
 */
export const VIRTUAL_KEY_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** `@slug`: a provider written as a stored virtual key's id (hosted Portkey's integration form). */
export const virtualKeySlugSchema = z
  .string()
  .regex(/^@[a-z0-9][a-z0-9_-]{0,63}$/, 'expected "@" followed by a virtual key id ([a-z0-9_-], 1-64 chars)');

/** A provider as written in a config or header: a {@link ProviderId} or an `@slug` naming a virtual key. */
export const providerReferenceSchema = z.union([providerIdSchema, virtualKeySlugSchema]);

/** What a `provider` string names. */
export type ProviderReference =
  | { kind: 'provider'; provider: ProviderId }
  | { kind: 'virtual-key'; virtualKeyId: string }
  | { kind: 'unknown'; value: string };

/** Classifies a `provider` value: a known id, an `@slug` virtual key, or unknown. */
export function parseProviderReference(value: string): ProviderReference {
  if (value.startsWith('@')) {
    const id = value.slice(1);
    return VIRTUAL_KEY_ID_PATTERN.test(id)
      ? { kind: 'virtual-key', virtualKeyId: id }
      : { kind: 'unknown', value };
  }
  return isProviderId(value) ? { kind: 'provider', provider: value } : { kind: 'unknown', value };
}

/**
 * Splits a model written `@virtual-key-id/model-name` (hosted Portkey's model-catalog form) into the
 * virtual key id and the model name. Returns `undefined` for a plain model name.
 */
export function parseModelReference(model: string): { virtualKeyId: string; model: string } | undefined {
  if (!model.startsWith('@')) return undefined;
  const slash = model.indexOf('/');
  if (slash < 2 || slash === model.length - 1) return undefined;
  const virtualKeyId = model.slice(1, slash);
  if (!VIRTUAL_KEY_ID_PATTERN.test(virtualKeyId)) return undefined;
  return { virtualKeyId, model: model.slice(slash + 1) };
}
