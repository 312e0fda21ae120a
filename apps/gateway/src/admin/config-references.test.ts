import { type Config, parseConfig } from '@pk/config';
import { buildSnapshot, type VirtualKey } from '@pk/store';
import { describe, expect, it } from 'vitest';
import {
  configsUsingVirtualKey,
  missingVirtualKeyIssues,
  virtualKeyReferences,
} from './config-references.js';

const openaiKey: VirtualKey = {
  id: 'openai-prod',
  slug: 'openai-prod',
  provider: 'openai',
  options: {},
  allowedHosts: [],
  models: [],
};

function configOf(value: unknown): Config {
  const parsed = parseConfig(value);
  if (!parsed.ok) throw new Error(parsed.issues.map((issue) => issue.message).join('; '));
  return parsed.config;
}

const fallback = configOf({
  strategy: { mode: 'fallback' },
  targets: [
    { virtual_key: 'openai-prod' },
    { provider: '@gone-vk' },
    { strategy: { mode: 'loadbalance' }, targets: [{ virtual_key: 'expired-vk' }, { virtual_key: 'nope' }] },
  ],
});

describe('virtual keys a config names', () => {
  it('finds `virtual_key` and `provider: "@slug"` at their paths, nested groups included', () => {
    expect(virtualKeyReferences(fallback)).toEqual([
      { path: 'config.targets[0].virtual_key', slug: 'openai-prod' },
      { path: 'config.targets[1].provider', slug: 'gone-vk' },
      { path: 'config.targets[2].targets[0].virtual_key', slug: 'expired-vk' },
      { path: 'config.targets[2].targets[1].virtual_key', slug: 'nope' },
    ]);
    expect(virtualKeyReferences(configOf({ provider: 'openai' }))).toEqual([]);
  });

  it('finds an `override_params.model: "@slug/model"` at its path, a group’s included', () => {
    const catalog = configOf({
      strategy: { mode: 'fallback' },
      override_params: { model: '@group-vk/gpt-4o' },
      targets: [
        { override_params: { model: '@openai-prod/gpt-4o', temperature: 0 } },
        { provider: '@other' },
      ],
    });
    expect(virtualKeyReferences(catalog)).toEqual([
      { path: 'config.override_params.model', slug: 'group-vk' },
      { path: 'config.targets[0].override_params.model', slug: 'openai-prod' },
      { path: 'config.targets[1].provider', slug: 'other' },
    ]);
    expect(
      virtualKeyReferences(configOf({ provider: 'openai', override_params: { model: 'gpt-4o' } })),
    ).toEqual([]);
  });

  it('names each missing key once at its path; an expired key still exists', () => {
    const snapshot = buildSnapshot(1, {
      gatewayKeys: [],
      virtualKeys: [openaiKey],
      configs: [],
      expiredVirtualKeys: ['expired-vk'],
    });
    expect(missingVirtualKeyIssues(fallback, snapshot)).toEqual([
      { path: 'config.targets[1].provider', message: 'no virtual key has the id "gone-vk"' },
      { path: 'config.targets[2].targets[1].virtual_key', message: 'no virtual key has the id "nope"' },
    ]);
  });

  it('takes a key this gateway cannot decrypt for one that exists', () => {
    const snapshot = buildSnapshot(1, {
      gatewayKeys: [],
      virtualKeys: [openaiKey],
      configs: [],
      expiredVirtualKeys: ['expired-vk'],
      unreadableVirtualKeys: ['gone-vk'],
    });
    expect(missingVirtualKeyIssues(fallback, snapshot)).toEqual([
      { path: 'config.targets[2].targets[1].virtual_key', message: 'no virtual key has the id "nope"' },
    ]);
  });

  it('lists the saved configs that use a key', () => {
    const snapshot = buildSnapshot(1, {
      gatewayKeys: [],
      virtualKeys: [openaiKey],
      configs: [
        { id: 'pc-fallback', slug: 'pc-fallback', config: fallback, warnings: [] },
        { id: 'pc-other', slug: 'pc-other', config: configOf({ provider: 'openai' }), warnings: [] },
      ],
    });
    expect(configsUsingVirtualKey(snapshot, 'gone-vk')).toEqual(['pc-fallback']);
    expect(configsUsingVirtualKey(snapshot, 'openai-prod')).toEqual(['pc-fallback']);
  });
});
