import { describe, expect, it } from 'vitest';
import {
  isProviderId,
  PROVIDER_IDS,
  parseModelReference,
  parseProviderReference,
  providerReferenceSchema,
} from './provider-id.js';

describe('provider ids', () => {
  it("holds Portkey's whole list, without duplicates", () => {
    expect(PROVIDER_IDS).toHaveLength(74);
    expect(new Set(PROVIDER_IDS).size).toBe(PROVIDER_IDS.length);
    for (const id of [
      'openai',
      'anthropic',
      'azure-openai',
      'bedrock',
      'vertex-ai',
      'google',
      'cohere',
      'ollama',
    ]) {
      expect(isProviderId(id), id).toBe(true);
    }
  });

  it.each([
    ['openai', { kind: 'provider', provider: 'openai' }],
    ['@openai-prod', { kind: 'virtual-key', virtualKeyId: 'openai-prod' }],
    ['@Bad Slug', { kind: 'unknown', value: '@Bad Slug' }],
    ['gpt', { kind: 'unknown', value: 'gpt' }],
  ])('classifies %s', (value, expected) => {
    expect(parseProviderReference(value)).toEqual(expected);
  });

  it('validates the @slug form as a provider reference', () => {
    expect(providerReferenceSchema.safeParse('@team-a_1').success).toBe(true);
    expect(providerReferenceSchema.safeParse('@').success).toBe(false);
    expect(providerReferenceSchema.safeParse('not-a-provider').success).toBe(false);
  });

  it.each([
    ['@openai-prod/gpt-4o', { virtualKeyId: 'openai-prod', model: 'gpt-4o' }],
    ['@vk/accounts/fireworks/models/llama', { virtualKeyId: 'vk', model: 'accounts/fireworks/models/llama' }],
    ['gpt-4o', undefined],
    ['@/gpt-4o', undefined],
    ['@vk/', undefined],
    ['@VK/gpt', undefined],
  ])('parses the model %s', (model, expected) => {
    expect(parseModelReference(model)).toEqual(expected);
  });
});
