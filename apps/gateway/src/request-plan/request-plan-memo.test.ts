import type { PlanLeaf } from '@pk/config';
import { parseRequestHeaders } from '@pk/headers';
import { buildSnapshot, type CatalogSnapshot, hashGatewayKeySecret } from '@pk/store';
import { describe, expect, it } from 'vitest';
import { type GatewaySettings, resolveSettings } from '../settings/load-settings.js';
import { catalogOfSettings } from '../settings/settings-records.js';
import { ConfigParseCache } from './config-parse-cache.js';
import { resolveRequestPlanOnce } from './request-plan-memo.js';

const settings: GatewaySettings = resolveSettings(
  {
    gateway_keys: [
      { id: 'team-a', key: 'pk-team-a' },
      { id: 'team-b', key: 'pk-team-b' },
    ],
    virtual_keys: { 'openai-prod': { provider: 'openai', api_key: 'sk-stored-openai' } },
  },
  { env: {}, files: new Map() },
);
const [teamA, teamB] = settings.gatewayKeys;

function resolver(configCache = new ConfigParseCache({ trustedCustomHosts: settings.customHostTrust })) {
  return (
    headers: Record<string, string>,
    options: { model?: string; key?: typeof teamA | undefined; catalog?: CatalogSnapshot } = {},
  ) =>
    resolveRequestPlanOnce(
      {
        headers: parseRequestHeaders(headers),
        model: options.model,
        settings,
        catalog: options.catalog ?? catalogOfSettings(settings).snapshot,
        gatewayKey: options.key ?? teamA ?? null,
        authorizationIsGatewayKey: false,
        isSupportedProvider: (provider) => provider === 'openai',
        configCache,
        rawConfigHeader: headers['x-portkey-config'],
      },
      headers,
    );
}

const catalog = catalogOfSettings(settings).snapshot;
const openai = { 'x-portkey-provider': 'openai', authorization: 'Bearer sk-caller' };

describe('resolveRequestPlanOnce: a plan per distinct header combination', () => {
  it('reuses the plan for the same headers, also when the trace id and metadata change', () => {
    const resolve = resolver();
    const first = resolve({ ...openai, 'x-portkey-trace-id': 'one' }, { catalog });
    const again = resolve(
      { ...openai, 'x-portkey-trace-id': 'two', 'x-portkey-metadata': '{"_user":"u"}' },
      { catalog },
    );
    expect(again).toBe(first);
    expect((first.plan.root as PlanLeaf).target.api_key).toBe('sk-caller');
  });

  it('resolves again for a different key, provider header, gateway key or @virtual-key model', () => {
    const resolve = resolver();
    const first = resolve(openai, { catalog });
    const otherKey = resolve({ ...openai, authorization: 'Bearer sk-other' }, { catalog });
    expect(otherKey).not.toBe(first);
    expect((otherKey.plan.root as PlanLeaf).target.api_key).toBe('sk-other');
    expect(resolve({ ...openai, 'x-portkey-custom-host': 'http://127.0.0.1:9/v1' }, { catalog })).not.toBe(
      first,
    );
    expect(resolve(openai, { catalog, key: teamB })).not.toBe(first);
    const viaModel = resolve({}, { catalog, model: '@openai-prod/gpt-4o' });
    expect(viaModel.model).toBe('gpt-4o');
    expect((viaModel.plan.root as PlanLeaf).target.api_key).toBe('sk-stored-openai');
    // A plain model takes no part in the plan.
    expect(resolve(openai, { catalog, model: 'gpt-4o' })).toBe(first);
  });

  it('starts again with a new catalog snapshot and when the config cache is cleared', () => {
    const configCache = new ConfigParseCache({ trustedCustomHosts: settings.customHostTrust });
    const resolve = resolver(configCache);
    const first = resolve(openai, { catalog });
    expect(resolve(openai, { catalog: catalogOfSettings(settings).snapshot })).not.toBe(first);
    const current = catalogOfSettings(settings).snapshot;
    const before = resolve(openai, { catalog: current });
    configCache.clear();
    expect(resolve(openai, { catalog: current })).not.toBe(before);
  });

  it('a key header that becomes a gateway key (created or revoked later) is no provider key from the next snapshot on', () => {
    const resolve = resolver();
    const headers = { 'x-portkey-provider': 'openai', 'x-api-key': 'pk-created-later' };
    expect((resolve(headers, { catalog }).plan.root as PlanLeaf).target.api_key).toBe('pk-created-later');
    const later = buildSnapshot(1, {
      gatewayKeys: settings.gatewayKeys,
      virtualKeys: settings.virtualKeys.values(),
      configs: settings.configs.values(),
      retiredKeyHashes: [hashGatewayKeySecret('pk-created-later')],
    });
    expect((resolve(headers, { catalog: later }).plan.root as PlanLeaf).target).not.toHaveProperty('api_key');
  });

  it('never keeps a refusal: the same bad headers are refused every time', () => {
    const resolve = resolver();
    expect(() => resolve({ authorization: 'Bearer sk-x' }, { catalog })).toThrow(/name a provider/);
    expect(() => resolve({ authorization: 'Bearer sk-x' }, { catalog })).toThrow(/name a provider/);
    expect(() =>
      resolve({ 'x-portkey-provider': 'openai', 'x-portkey-config': '[1]' }, { catalog }),
    ).toThrow();
  });
});
