import type { PlanLeaf } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { parseRequestHeaders } from './parse-request-headers.js';
import { virtualKeyMessageSubjectOf, virtualKeyParamOf } from './virtual-key-param.js';

describe('virtualKeyParamOf', () => {
  it('names the header, the model or the config field the virtual key came from', () => {
    const of = (
      headers: Record<string, string>,
      target: PlanLeaf['target'],
      path = 'config',
      model?: string,
    ) =>
      virtualKeyParamOf({
        virtualKeyId: 'gone-vk',
        leaf: { path, target },
        headers: parseRequestHeaders(headers),
        model,
      });
    expect(of({ 'x-portkey-virtual-key': 'gone-vk' }, { virtual_key: 'gone-vk' })).toBe(
      'x-portkey-virtual-key',
    );
    expect(of({ 'x-portkey-provider': '@gone-vk' }, { provider: '@gone-vk' })).toBe('x-portkey-provider');
    expect(of({}, { provider: '@gone-vk' }, 'config', '@gone-vk/gpt-4o')).toBe('model');
    expect(of({}, { virtual_key: 'gone-vk' }, 'config.targets[1]')).toBe('config.targets[1].virtual_key');
    expect(of({}, { provider: '@gone-vk' }, 'config.targets[0]')).toBe('config.targets[0].provider');
    // Another key in the header: the config's own field is the one that failed.
    expect(of({ 'x-portkey-virtual-key': 'openai-prod' }, { virtual_key: 'gone-vk' })).toBe(
      'config.virtual_key',
    );
  });

  it('names the config’s "@slug/model" model when that is what named the virtual key', () => {
    const leaf = {
      path: 'config.targets[1]',
      target: { virtual_key: 'gone-vk' },
      virtual_key_path: 'config.override_params.model',
    };
    const param = virtualKeyParamOf({
      virtualKeyId: 'gone-vk',
      leaf,
      headers: parseRequestHeaders({}),
      model: '@gone-vk/gpt-4o',
    });
    expect(param).toBe('config.override_params.model');
    expect(virtualKeyMessageSubjectOf(param, leaf)).toBe('config.override_params.model');
  });
});

describe('virtualKeyMessageSubjectOf', () => {
  it('starts the message with the header or body field, else the config’s target', () => {
    const leaf = { path: 'config.targets[1]' };
    expect(virtualKeyMessageSubjectOf('x-portkey-virtual-key', leaf)).toBe('x-portkey-virtual-key');
    expect(virtualKeyMessageSubjectOf('x-portkey-provider', leaf)).toBe('x-portkey-provider');
    expect(virtualKeyMessageSubjectOf('model', leaf)).toBe('model');
    expect(virtualKeyMessageSubjectOf('config.targets[1].virtual_key', leaf)).toBe('config.targets[1]');
  });
});
