import { describe, expect, it } from 'vitest';
import { applyVirtualKeyReferences, configModelReference } from './virtual-key-references.js';

describe('applyVirtualKeyReferences', () => {
  it('turns an @slug provider into a virtual key', () => {
    const overrides: Record<string, unknown> = { provider: '@openai-prod', api_key: 'k' };
    expect(applyVirtualKeyReferences(overrides, 'gpt-4o')).toBeUndefined();
    expect(overrides).toEqual({ virtual_key: 'openai-prod', api_key: 'k' });
  });

  it('takes the virtual key and the model from @slug/model', () => {
    const overrides: Record<string, unknown> = {};
    expect(applyVirtualKeyReferences(overrides, '@openai-prod/gpt-4o-mini')).toBe('gpt-4o-mini');
    expect(overrides).toEqual({ virtual_key: 'openai-prod' });
  });

  it('keeps a virtual key named already, and leaves plain providers and models alone', () => {
    const named: Record<string, unknown> = { virtual_key: 'header-vk' };
    expect(applyVirtualKeyReferences(named, '@other/gpt-4o')).toBe('gpt-4o');
    expect(named).toEqual({ virtual_key: 'header-vk' });
    const plain: Record<string, unknown> = { provider: 'openai' };
    expect(applyVirtualKeyReferences(plain, 'gpt-4o')).toBeUndefined();
    expect(plain).toEqual({ provider: 'openai' });
  });
});

describe('applyVirtualKeyReferences with a config', () => {
  it('the body’s @slug names no virtual key when the config’s own model is written @slug/model', () => {
    const overrides: Record<string, unknown> = {};
    const config = { override_params: { model: '@config-vk/gpt-4o' } };
    expect(applyVirtualKeyReferences(overrides, '@body-vk/gpt-4o-mini', { config })).toBe('gpt-4o-mini');
    expect(overrides).toEqual({});
    const plainConfig = { override_params: { model: 'gpt-4o' } };
    expect(applyVirtualKeyReferences(overrides, '@body-vk/gpt-4o-mini', { config: plainConfig })).toBe(
      'gpt-4o-mini',
    );
    expect(overrides).toEqual({ virtual_key: 'body-vk' });
  });
});

describe('configModelReference', () => {
  it('reads the root’s override_params.model only', () => {
    expect(configModelReference({ override_params: { model: '@vk/gpt-4o' } })).toEqual({
      virtualKeyId: 'vk',
      model: 'gpt-4o',
    });
    expect(configModelReference({ override_params: { model: 'gpt-4o' } })).toBeUndefined();
    expect(configModelReference({})).toBeUndefined();
  });
});
