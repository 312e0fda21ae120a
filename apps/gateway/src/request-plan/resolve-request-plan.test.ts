import { PkError, type PlanGroup, type PlanLeaf } from '@pk/config';
import { HookCompiler } from '@pk/guardrails';
import { parseRequestHeaders } from '@pk/headers';
import { buildSnapshot, hashGatewayKeySecret } from '@pk/store';
import { describe, expect, it } from 'vitest';
import { type GatewaySettings, resolveSettings } from '../settings/load-settings.js';
import { catalogOfSettings } from '../settings/settings-records.js';
import { ConfigParseCache } from './config-parse-cache.js';
import { type RequestPlan, resolveRequestPlan } from './resolve-request-plan.js';

const settings: GatewaySettings = resolveSettings(
  {
    gateway_keys: [
      { id: 'limited', key: 'pk-limited', virtual_keys: ['openai-prod'], configs: ['pc-fallback'] },
      { id: 'admin', key: 'pk-admin' },
    ],
    virtual_keys: {
      'openai-prod': { provider: 'openai', api_key: 'sk-stored-openai' },
      'anthropic-prod': {
        provider: 'anthropic',
        api_key: 'sk-ant-stored',
        allowed_hosts: ['claude-proxy.example.com'],
      },
      'azure-prod': {
        provider: 'azure-openai',
        api_key: 'azure-stored',
        options: { resource_name: 'stored-resource', deployment_id: 'gpt4o', api_version: '2024-10-21' },
      },
      'unsupported-vk': { provider: 'palm', api_key: 'x' },
    },
    configs: {
      'pc-fallback': {
        strategy: { mode: 'fallback' },
        targets: [{ virtual_key: 'openai-prod' }, { virtual_key: 'anthropic-prod' }],
      },
      'pc-hooks': { virtual_key: 'openai-prod', input_guardrails: ['pg-xxx'] },
      'pc-remote': { virtual_key: 'openai-prod', custom_host: 'https://llm.example.com/v1' },
    },
    trusted_custom_hosts: ['trusted-llm.example.com'],
    guardrails: { 'pg-xxx': { checks: [{ id: 'pk.secrets', parameters: {} }], deny: true } },
  },
  { env: {}, files: new Map() },
);
const catalog = catalogOfSettings(settings).snapshot;
const admin = settings.gatewayKeys[1] ?? null;
const configCache = new ConfigParseCache({ trustedCustomHosts: settings.customHostTrust, maxEntries: 8 });
const limited = settings.gatewayKeys[0] ?? null;
const supported = new Set(['openai', 'anthropic', 'azure-openai', 'ollama', 'groq', 'bedrock', 'vertex-ai']);

function plan(
  headers: Record<string, string>,
  options: { model?: string; key?: typeof admin; catalog?: typeof catalog } = {},
): RequestPlan {
  return resolveRequestPlan({
    headers: parseRequestHeaders(headers),
    model: options.model,
    settings,
    catalog: options.catalog ?? catalog,
    gatewayKey: options.key === undefined ? admin : options.key,
    authorizationIsGatewayKey: false,
    isSupportedProvider: (provider) => supported.has(provider),
    configCache,
    rawConfigHeader: headers['x-portkey-config'],
    checkHeaderGuardrails: (list, header) =>
      new HookCompiler(settings.guardrails).validateGuardrailList(list, header),
  });
}
const leafOf = (result: RequestPlan): PlanLeaf => result.plan.root as PlanLeaf;

function refusal(run: () => unknown): PkError {
  try {
    run();
  } catch (error) {
    if (error instanceof PkError) return error;
    throw error;
  }
  throw new Error('expected a PkError');
}

describe('resolveRequestPlan: the four ways of naming a provider', () => {
  it('1. provider + Authorization', () => {
    const leaf = leafOf(plan({ 'x-portkey-provider': 'openai', authorization: 'Bearer sk-caller' }));
    expect(leaf.target).toEqual({ provider: 'openai', api_key: 'sk-caller' });
    expect(leaf.path).toBe('config');
  });

  it('1b. provider + x-api-key, or api-key, in that order', () => {
    expect(
      leafOf(plan({ 'x-portkey-provider': 'anthropic', 'x-api-key': 'sk-ant-1', 'api-key': 'other' })).target
        .api_key,
    ).toBe('sk-ant-1');
    expect(leafOf(plan({ 'x-portkey-provider': 'azure-openai', 'api-key': 'az-1' })).target.api_key).toBe(
      'az-1',
    );
  });

  it('1c. a gateway key of this gateway, active or retired, is never the provider key: the next header is', () => {
    // The request authenticated with pk-admin; pk-limited is another key of the same gateway.
    expect(
      leafOf(
        plan({
          'x-portkey-provider': 'openai',
          authorization: 'Bearer pk-limited',
          'x-api-key': 'pk-admin',
          'api-key': 'sk-caller',
        }),
      ).target,
    ).toEqual({ provider: 'openai', api_key: 'sk-caller' });
    const withRevoked = buildSnapshot(1, {
      gatewayKeys: settings.gatewayKeys,
      virtualKeys: settings.virtualKeys.values(),
      configs: settings.configs.values(),
      retiredKeyHashes: [hashGatewayKeySecret('pk-revoked')],
    });
    expect(
      leafOf(
        plan(
          { 'x-portkey-provider': 'anthropic', 'x-api-key': 'pk-revoked', 'api-key': 'sk-ant-1' },
          { catalog: withRevoked },
        ),
      ).target.api_key,
    ).toBe('sk-ant-1');
    // With none left the request has no provider key, as if it had sent none (the adapter decides).
    for (const headers of [
      { authorization: 'Bearer pk-limited' },
      { 'x-api-key': 'pk-admin' },
      { 'api-key': 'pk-revoked', authorization: 'Bearer DUMMY-KEY' },
    ]) {
      expect(
        leafOf(plan({ 'x-portkey-provider': 'groq', ...headers }, { catalog: withRevoked })).target,
      ).toEqual({
        provider: 'groq',
      });
    }
  });

  it('1d. a gateway key in any other credential field, header or config, is a 400 naming the field, never the value', () => {
    const withRevoked = buildSnapshot(1, {
      gatewayKeys: settings.gatewayKeys,
      virtualKeys: settings.virtualKeys.values(),
      configs: settings.configs.values(),
      retiredKeyHashes: [hashGatewayKeySecret('pk-revoked')],
    });
    const cases: [Record<string, string>, string, string][] = [
      [
        { 'x-portkey-config': JSON.stringify({ provider: 'openai', api_key: 'pk-admin' }) },
        'config.api_key',
        'x-portkey-config',
      ],
      [
        {
          'x-portkey-config': JSON.stringify({
            strategy: { mode: 'fallback' },
            targets: [
              { provider: 'openai', api_key: 'sk-fine' },
              { provider: 'azure-openai', azure_ad_token: 'Bearer pk-revoked' },
            ],
          }),
        },
        'config.targets[1].azure_ad_token',
        'x-portkey-config',
      ],
      [
        { 'x-portkey-provider': 'azure-openai', 'x-portkey-azure-ad-token': 'pk-limited' },
        'x-portkey-azure-ad-token',
        'x-portkey-azure-ad-token',
      ],
      [
        {
          'x-portkey-provider': 'bedrock',
          'x-portkey-aws-access-key-id': 'AKIDEXAMPLE',
          'x-portkey-aws-secret-access-key': 'wJalrXUtnFEMI',
          'x-portkey-aws-session-token': 'pk-admin',
        },
        'x-portkey-aws-session-token',
        'x-portkey-aws-session-token',
      ],
      [
        {
          'x-portkey-provider': 'vertex-ai',
          'x-portkey-vertex-service-account-json': JSON.stringify({
            client_email: 'a@b',
            private_key: 'pk-admin',
          }),
        },
        'x-portkey-vertex-service-account-json',
        'x-portkey-vertex-service-account-json',
      ],
    ];
    for (const [headers, field, param] of cases) {
      const error = refusal(() => plan(headers, { catalog: withRevoked }));
      expect(error).toMatchObject({ code: 'PK_ERR_INVALID_CONFIG', status: 400, param });
      expect(error.message.startsWith(`${field}: `)).toBe(true);
      expect(error.message).not.toMatch(/pk-(admin|limited|revoked)/);
    }
    // The SDK's placeholder and a provider's own key are not gateway keys.
    expect(
      leafOf(plan({ 'x-portkey-config': JSON.stringify({ provider: 'openai', api_key: 'DUMMY-KEY' }) }))
        .target,
    ).toMatchObject({ api_key: 'DUMMY-KEY' });
    expect(
      leafOf(plan({ 'x-portkey-provider': 'azure-openai', 'x-portkey-azure-ad-token': 'entra-token' }))
        .target,
    ).toMatchObject({ azure_ad_token: 'entra-token' });
  });

  it('2. x-portkey-virtual-key: stored credentials, caller Authorization never forwarded', () => {
    const leaf = leafOf(plan({ 'x-portkey-virtual-key': 'openai-prod', authorization: 'Bearer pk-admin' }));
    expect(leaf.target).toMatchObject({
      provider: 'openai',
      api_key: 'sk-stored-openai',
      virtual_key: 'openai-prod',
    });
    const withCallerKey = leafOf(
      plan({ 'x-portkey-virtual-key': 'openai-prod', authorization: 'Bearer sk-caller' }),
    );
    expect(withCallerKey.target.api_key).toBe('sk-stored-openai');
  });

  it('2b. a provider written @id, and a model written @id/model', () => {
    expect(leafOf(plan({ 'x-portkey-provider': '@anthropic-prod' })).target).toMatchObject({
      provider: 'anthropic',
      api_key: 'sk-ant-stored',
    });
    const result = plan({}, { model: '@openai-prod/gpt-4o-mini' });
    expect(result.model).toBe('gpt-4o-mini');
    expect(leafOf(result).target).toMatchObject({ provider: 'openai', api_key: 'sk-stored-openai' });
  });

  it('3. x-portkey-config as JSON, and as a saved id', () => {
    const inline = plan({
      'x-portkey-config': JSON.stringify({ provider: 'groq', api_key: 'gsk-inline', retry: { attempts: 2 } }),
    });
    expect(leafOf(inline).target).toEqual({ provider: 'groq', api_key: 'gsk-inline' });
    expect(leafOf(inline).retry.attempts).toBe(2);
    const saved = plan({ 'x-portkey-config': 'pc-fallback' });
    const root = saved.plan.root as PlanGroup;
    expect(root.strategy.mode).toBe('fallback');
    expect(root.targets.map((leaf) => (leaf as PlanLeaf).target.api_key)).toEqual([
      'sk-stored-openai',
      'sk-ant-stored',
    ]);
  });

  it('a config’s warnings are the client’s lines, from the parse cache’s entry, header-safe; none for a clean config', () => {
    const text = JSON.stringify({ provider: 'groq', api_key: 'gsk-inline', retyr: 1, 'é\n': 2 });
    const first = plan({ 'x-portkey-config': text });
    const cached = configCache.parse(text, JSON.parse(text));
    expect(cached.warnings.map((warning) => warning.message)).toEqual(
      first.plan.warnings.map((w) => w.message),
    );
    expect(first.configWarnings).toEqual([
      'config.retyr: unknown key "retyr" dropped (did you mean "retry"?)',
      'config["\\u00e9\\n"]: unknown key "\\u00e9\\u000a" dropped',
    ]);
    expect(
      plan({ 'x-portkey-config': JSON.stringify({ provider: 'groq', api_key: 'g' }) }),
    ).not.toHaveProperty('configWarnings');
  });

  it('4. custom host + provider + auth', () => {
    const leaf = leafOf(
      plan({
        'x-portkey-custom-host': 'http://localhost:11434/v1',
        'x-portkey-provider': 'ollama',
        authorization: 'Bearer x',
      }),
    );
    expect(leaf.target).toMatchObject({
      provider: 'ollama',
      custom_host: 'http://localhost:11434/v1',
      api_key: 'x',
    });
  });
});

describe('resolveRequestPlan: precedence', () => {
  it('a config with provider or targets wins over the provider headers', () => {
    const leaf = leafOf(
      plan({
        'x-portkey-config': JSON.stringify({ provider: 'anthropic', api_key: 'sk-ant-config' }),
        'x-portkey-provider': 'openai',
        authorization: 'Bearer sk-openai-caller',
      }),
    );
    expect(leaf.target).toEqual({ provider: 'anthropic', api_key: 'sk-ant-config' });
  });

  it('a config without provider or targets takes them from the headers', () => {
    const leaf = leafOf(
      plan({
        'x-portkey-config': JSON.stringify({ retry: { attempts: 1 } }),
        'x-portkey-provider': 'openai',
        authorization: 'Bearer sk-h',
      }),
    );
    expect(leaf.target).toEqual({ provider: 'openai', api_key: 'sk-h' });
    expect(leaf.retry.attempts).toBe(1);
  });

  it('timeout, custom host and forward headers from headers beat the config for every target', () => {
    const result = plan({
      'x-portkey-config': JSON.stringify({
        strategy: { mode: 'fallback' },
        request_timeout: 9000,
        forward_headers: ['x-a'],
        targets: [
          { provider: 'openai', api_key: 'a' },
          { provider: 'groq', api_key: 'b', request_timeout: 100 },
        ],
      }),
      'x-portkey-request-timeout': '1500',
      'x-portkey-forward-headers': 'x-b,x-c',
    });
    for (const leaf of (result.plan.root as PlanGroup).targets as PlanLeaf[]) {
      expect(leaf.request_timeout).toBe(1500);
      expect(leaf.forward_headers).toEqual(['x-b', 'x-c']);
    }
  });

  it("the virtual key's own values beat request headers", () => {
    const leaf = leafOf(
      plan({ 'x-portkey-virtual-key': 'azure-prod', 'x-portkey-azure-resource-name': 'attacker-resource' }),
    );
    expect(leaf.target).toMatchObject({
      resource_name: 'stored-resource',
      deployment_id: 'gpt4o',
      api_key: 'azure-stored',
    });
  });
});

describe('resolveRequestPlan: refusals', () => {
  it.each<[string, Record<string, string>, string, number]>([
    ['no provider at all', {}, 'PK_ERR_MISSING_PROVIDER', 400],
    [
      'unknown provider',
      { 'x-portkey-provider': 'not-a-provider', authorization: 'k' },
      'PK_ERR_INVALID_PROVIDER',
      400,
    ],
    [
      'known provider without adapter',
      { 'x-portkey-provider': 'palm', authorization: 'k' },
      'PK_ERR_PROVIDER_NOT_SUPPORTED',
      400,
    ],
    [
      'virtual key of an unsupported provider',
      { 'x-portkey-virtual-key': 'unsupported-vk' },
      'PK_ERR_PROVIDER_NOT_SUPPORTED',
      400,
    ],
    [
      'loopback in another spelling',
      { 'x-portkey-custom-host': 'http://127.1/v1', 'x-portkey-provider': 'ollama' },
      'PK_ERR_INVALID_CUSTOM_HOST',
      400,
    ],
    [
      'loopback with a stored credential',
      { 'x-portkey-custom-host': 'http://localhost:9999', 'x-portkey-virtual-key': 'openai-prod' },
      'PK_ERR_CUSTOM_HOST_NOT_ALLOWED',
      400,
    ],
    ['unknown virtual key', { 'x-portkey-virtual-key': 'nope' }, 'PK_ERR_VIRTUAL_KEY_NOT_FOUND', 404],
    ['unknown saved config', { 'x-portkey-config': 'pc-nope' }, 'PK_ERR_CONFIG_NOT_FOUND', 404],
    ['bad JSON config', { 'x-portkey-config': '{"provider":' }, 'PK_ERR_INVALID_HEADER', 400],
    [
      'invalid config',
      { 'x-portkey-config': '{"retry":{"attempts":-1},"provider":"openai"}' },
      'PK_ERR_INVALID_CONFIG',
      400,
    ],
    [
      'private custom host',
      { 'x-portkey-custom-host': 'http://10.0.0.5/v1', 'x-portkey-provider': 'openai' },
      'PK_ERR_INVALID_CUSTOM_HOST',
      400,
    ],
    [
      'bad timeout header',
      { 'x-portkey-request-timeout': 'soon', 'x-portkey-provider': 'openai' },
      'PK_ERR_INVALID_HEADER',
      400,
    ],
  ])('%s', (_name, headers, code, status) => {
    const error = refusal(() => plan(headers));
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
  });

  it('names the path of an invalid config', () => {
    const error = refusal(() =>
      plan({
        'x-portkey-config': JSON.stringify({
          strategy: { mode: 'fallback' },
          targets: [{ provider: 'openai', retry: { attempts: -1 } }],
        }),
      }),
    );
    expect(error.message).toContain('config.targets[0].retry.attempts');
  });

  it('names where a missing virtual key came from: the config’s field or the header', () => {
    const inConfig = refusal(() =>
      plan({
        'x-portkey-config': JSON.stringify({
          strategy: { mode: 'fallback' },
          targets: [{ virtual_key: 'openai-prod' }, { virtual_key: 'gone-vk' }],
        }),
      }),
    );
    expect(inConfig).toMatchObject({
      code: 'PK_ERR_VIRTUAL_KEY_NOT_FOUND',
      param: 'config.targets[1].virtual_key',
    });
    const asProvider = refusal(() =>
      plan({
        'x-portkey-config': JSON.stringify({
          targets: [{ provider: '@gone-vk' }],
          strategy: { mode: 'fallback' },
        }),
      }),
    );
    expect(asProvider.param).toBe('config.targets[0].provider');
    expect(refusal(() => plan({ 'x-portkey-virtual-key': 'gone-vk' })).param).toBe('x-portkey-virtual-key');
    expect(refusal(() => plan({ 'x-portkey-provider': '@gone-vk' })).param).toBe('x-portkey-provider');
    expect(refusal(() => plan({}, { model: '@gone-vk/gpt-4o' })).param).toBe('model');
  });

  it('never sends stored credentials to a host the caller chose', () => {
    const viaHeader = refusal(() =>
      plan({
        'x-portkey-virtual-key': 'openai-prod',
        'x-portkey-custom-host': 'https://attacker.example.com/v1',
      }),
    );
    expect(viaHeader.code).toBe('PK_ERR_CUSTOM_HOST_NOT_ALLOWED');
    expect(viaHeader.message).not.toContain('sk-stored-openai');
    const viaInlineConfig = refusal(() =>
      plan({
        'x-portkey-config': JSON.stringify({
          virtual_key: 'openai-prod',
          custom_host: 'https://attacker.example.com',
        }),
      }),
    );
    expect(viaInlineConfig.code).toBe('PK_ERR_CUSTOM_HOST_NOT_ALLOWED');
  });

  it("allows a trusted host, a key's allowed host, and a saved config's own host", () => {
    expect(
      leafOf(
        plan({
          'x-portkey-virtual-key': 'openai-prod',
          'x-portkey-custom-host': 'https://trusted-llm.example.com/v1',
        }),
      ).target.custom_host,
    ).toBe('https://trusted-llm.example.com/v1');
    expect(
      leafOf(
        plan({
          'x-portkey-virtual-key': 'anthropic-prod',
          'x-portkey-custom-host': 'https://claude-proxy.example.com',
        }),
      ).target.api_key,
    ).toBe('sk-ant-stored');
    expect(leafOf(plan({ 'x-portkey-config': 'pc-remote' })).target.custom_host).toBe(
      'https://llm.example.com/v1',
    );
  });

  it('a gateway key limited to one virtual key gets 403 for another, and for other saved configs', () => {
    expect(leafOf(plan({ 'x-portkey-virtual-key': 'openai-prod' }, { key: limited })).target.provider).toBe(
      'openai',
    );
    expect(refusal(() => plan({ 'x-portkey-virtual-key': 'anthropic-prod' }, { key: limited })).code).toBe(
      'PK_ERR_FORBIDDEN',
    );
    expect(refusal(() => plan({ 'x-portkey-config': 'pc-remote' }, { key: limited })).code).toBe(
      'PK_ERR_FORBIDDEN',
    );
    // the allowed saved config still refuses the virtual key it may not use
    expect(refusal(() => plan({ 'x-portkey-config': 'pc-fallback' }, { key: limited })).code).toBe(
      'PK_ERR_FORBIDDEN',
    );
  });
});

describe('resolveRequestPlan: hooks', () => {
  it('says whether any target has hooks (nothing about hooks is done otherwise)', () => {
    expect(plan({ 'x-portkey-virtual-key': 'openai-prod' }).hasHooks).toBe(false);
    const saved = plan({ 'x-portkey-config': 'pc-hooks' });
    expect(saved.hasHooks).toBe(true);
    expect(leafOf(saved).before_request_hooks).toEqual([{ type: 'guardrail', id: 'pg-xxx' }]);
  });

  it('refuses guardrails in headers that name unknown guardrails or partner checks, naming the path', () => {
    const error = refusal(() =>
      plan({
        'x-portkey-virtual-key': 'openai-prod',
        'x-portkey-default-input-guardrails': JSON.stringify(['pg-xxx', { 'patronus.pii': {} }]),
      }),
    );
    expect(error.code).toBe('PK_ERR_INVALID_HEADER');
    expect(error.message).toContain('x-portkey-default-input-guardrails[1]["patronus.pii"]');
  });
});
