import { describe, expect, it } from 'vitest';
import type { PlanGroup, PlanLeaf, PlanNode } from '../plan/plan.js';
import type { Config } from '../schema/target.js';
import { VALID_CONFIGS } from './__fixtures__/fixtures.js';
import { parseAndResolveConfig } from './parse-and-resolve.js';
import { parseConfigOrThrow } from './parse-config.js';
import { configIdOf, resolveConfig } from './resolve-config.js';

function leafAt(node: PlanNode, ...indexes: number[]): PlanLeaf {
  let current = node;
  for (const index of indexes) {
    if (current.kind !== 'group') throw new Error(`${current.path} is not a group`);
    const next = current.targets[index];
    if (next === undefined) throw new Error(`${current.path} has no target ${index}`);
    current = next;
  }
  if (current.kind !== 'leaf') throw new Error(`${current.path} is not a leaf`);
  return current;
}

describe('resolveConfig on the valid fixtures', () => {
  it.each(VALID_CONFIGS.map((fixture) => [fixture.name, fixture] as const))('%s', (_, fixture) => {
    expect(resolveConfig(parseConfigOrThrow(fixture.config))).toMatchSnapshot();
  });
});

describe('inheritance (behaviour reference §3.5)', () => {
  const config = parseConfigOrThrow(
    VALID_CONFIGS.find((fixture) => fixture.name === 'inheritance-3-5')?.config,
  );
  const plan = resolveConfig(config);
  const first = leafAt(plan.root, 0);
  const anthropic = leafAt(plan.root, 1, 0);
  const groq = leafAt(plan.root, 1, 1);

  it('gives every node its JSON path', () => {
    expect(plan.root.path).toBe('config');
    expect((plan.root as PlanGroup).targets.map((node) => node.path)).toEqual([
      'config.targets[0]',
      'config.targets[1]',
    ]);
    expect(groq.path).toBe('config.targets[1].targets[1]');
  });

  it('shallow-merges override_params parent → child, child wins', () => {
    expect(first.override_params).toEqual({ temperature: 0.7, max_tokens: 256, model: 'gpt-4o' });
    expect(anthropic.override_params).toEqual({
      temperature: 0.2,
      max_tokens: 256,
      model: 'claude-3-5-sonnet-20241022',
    });
  });

  it('replaces retry and cache wholesale; a root cache is the plan’s, not inherited by the leaves', () => {
    expect(first.retry).toMatchObject({ attempts: 2, on_status_codes: [429, 500, 502, 503, 504] });
    expect(anthropic.retry).toMatchObject({ attempts: 1, on_status_codes: [429] });
    expect(plan.cache).toEqual({ mode: 'simple', max_age: 120, shadow: false, threshold: 0.95 });
    expect(first.cache).toBeUndefined();
    expect(anthropic.cache).toBeUndefined();
    expect(groq.cache).toEqual({
      mode: 'semantic',
      max_age: 604_800,
      shadow: false,
      threshold: 0.95,
      max_age_from_default: true,
    });
  });

  it('inherits request_timeout, custom_host and forward_headers unless set', () => {
    expect(first.request_timeout).toBeUndefined();
    expect(anthropic.request_timeout).toBe(15_000);
    expect(groq.target.custom_host).toBe('https://llm.example.com/v1');
    expect(groq.forward_headers).toEqual(['x-request-id']);
  });

  it('inherits strict_open_ai_compliance when boolean', () => {
    expect(anthropic.strict_open_ai_compliance).toBe(false);
    expect(groq.strict_open_ai_compliance).toBe(true);
  });

  it("replaces the parent's hooks with the child's and appends default guardrails to every leaf", () => {
    const ids = (leaf: PlanLeaf) => leaf.before_request_hooks?.map((hook) => hook.id);
    expect(ids(first)).toEqual(['root-hook', expect.stringMatching(/^input_guardrail_[0-9a-f]{8}$/)]);
    expect(ids(anthropic)).toEqual([
      expect.stringMatching(/^input_guardrail_/),
      expect.stringMatching(/^input_guardrail_/),
    ]);
    expect(anthropic.before_request_hooks?.[0]).toMatchObject({
      type: 'guardrail',
      deny: true,
      checks: [{ id: 'default.contains', parameters: { operator: 'any', words: ['password'] } }],
    });
    expect(anthropic.before_request_hooks?.[1]).toMatchObject({ checks: [{ id: 'default.regexMatch' }] });
  });

  it('inherits cb_config like retry, a nested group replacing it', () => {
    expect(plan.root.cb_config).toEqual({ failure_threshold: 5, cooldown_interval: 30000 });
    expect(first.cb_config).toEqual({ failure_threshold: 5, cooldown_interval: 30000 });
    expect(groq.cb_config).toEqual({ failure_threshold: 2, cooldown_interval: 60000 });
  });

  it("uses the config's id", () => {
    expect(plan.config_id).toBe('pc-inheritance-demo');
  });
});

describe('header overrides (behaviour reference §3.6)', () => {
  const fallback = parseConfigOrThrow({
    strategy: { mode: 'fallback' },
    request_timeout: 1000,
    targets: [{ provider: 'openai', api_key: 'sk-config', custom_host: 'https://a.example.com' }],
  });

  it('lets the header beat the config for request_timeout, custom_host and forward_headers', () => {
    const plan = resolveConfig(fallback, {
      request_timeout: 5000,
      custom_host: 'https://b.example.com',
      forward_headers: ['x-trace'],
    });
    const leaf = leafAt(plan.root, 0);
    expect(leaf.request_timeout).toBe(5000);
    expect(leaf.target.custom_host).toBe('https://b.example.com');
    expect(leaf.forward_headers).toEqual(['x-trace']);
  });

  it("ignores the header's provider and api key when the config has targets or a provider", () => {
    const headers = { provider: 'anthropic', api_key: 'sk-header', resource_name: 'r' };
    expect(leafAt(resolveConfig(fallback, headers).root, 0).target).toEqual({
      provider: 'openai',
      api_key: 'sk-config',
      custom_host: 'https://a.example.com',
    });
    const single = parseConfigOrThrow({ provider: 'openai', retry: { attempts: 1 } });
    expect(leafAt(resolveConfig(single, headers).root).target).toEqual({ provider: 'openai' });
  });

  it('fills provider, api key and provider options from headers into a config with neither provider nor targets', () => {
    const config = parseConfigOrThrow({ retry: { attempts: 3 }, cache: { mode: 'simple' } });
    const plan = resolveConfig(config, {
      provider: 'azure-openai',
      api_key: 'sk-header',
      resource_name: 'res',
      deployment_id: 'dep',
    });
    expect(leafAt(plan.root).target).toEqual({
      provider: 'azure-openai',
      api_key: 'sk-header',
      resource_name: 'res',
      deployment_id: 'dep',
    });
    expect(leafAt(plan.root).retry.attempts).toBe(3);
  });

  it("keeps the config's own credentials over the header's", () => {
    const config = parseConfigOrThrow({ virtual_key: 'openai-key' });
    expect(leafAt(resolveConfig(config, { provider: 'openai', virtual_key: 'other' }).root).target).toEqual({
      provider: 'openai',
      virtual_key: 'openai-key',
    });
  });

  it('lets header default guardrails beat the config ones', () => {
    const config = parseConfigOrThrow({
      virtual_key: 'vk',
      default_output_guardrails: [{ 'default.wordCount': { minWords: 1 } }],
    });
    const plan = resolveConfig(config, { default_output_guardrails: ['pg-saved-guardrail'] });
    expect(leafAt(plan.root).after_request_hooks).toEqual([{ type: 'guardrail', id: 'pg-saved-guardrail' }]);
  });
});

describe('config_id', () => {
  it('is stable across key order and changes with the content', () => {
    const a: Config = { virtual_key: 'vk', retry: { attempts: 2, on_status_codes: [429] } };
    const b: Config = { retry: { on_status_codes: [429], attempts: 2 }, virtual_key: 'vk' };
    expect(configIdOf(a)).toMatch(/^cfg_[0-9a-f]{16}$/);
    expect(configIdOf(a)).toBe(configIdOf(b));
    expect(configIdOf({ ...a, virtual_key: 'vk2' })).not.toBe(configIdOf(a));
  });

  it('is the caller’s when given, whatever id the config writes', () => {
    const plan = resolveConfig(
      { id: 'pc-someone-else', virtual_key: 'vk' },
      {},
      { configId: 'inline:team-a:abc' },
    );
    expect(plan.config_id).toBe('inline:team-a:abc');
  });
});

describe('plan extras', () => {
  it('carries request_deadline and warnings from a hand-built config', () => {
    const plan = resolveConfig({
      request_deadline: 30_000,
      virtual_key: 'vk',
      cache: { mode: 'simple', max_age: 5 },
    });
    expect(plan.request_deadline).toBe(30_000);
    expect(plan.cache?.max_age).toBe(604_800);
    expect(leafAt(plan.root).cache).toBeUndefined();
    expect(plan.warnings.map((warning) => warning.path)).toEqual(['config.cache.max_age']);
  });

  it('keeps parse warnings (unknown keys) with parseAndResolveConfig', () => {
    const result = parseAndResolveConfig({ virtualKey: 'vk', mystery: 1 }, { request_timeout: 2000 });
    if (!result.ok) expect.fail(JSON.stringify(result.issues));
    expect(result.plan.warnings).toEqual([
      { path: 'config.mystery', message: 'config.mystery: unknown key "mystery" dropped' },
    ]);
    expect(leafAt(result.plan.root).request_timeout).toBe(2000);
  });
});

describe('an override_params.model written "@slug/model" (Portkey’s model catalog form)', () => {
  it('sends the bare model and names the target’s virtual key, with the path it was written at', () => {
    const plan = resolveConfig(
      parseConfigOrThrow({
        strategy: { mode: 'fallback' },
        targets: [
          { override_params: { model: '@openai-prod/gpt-4o', temperature: 0 } },
          {
            strategy: { mode: 'single' },
            override_params: { model: '@anthropic-prod/claude-3-5-sonnet-20241022' },
            targets: [{ provider: '@anthropic-prod' }],
          },
        ],
      }),
    );
    const first = leafAt(plan.root, 0);
    expect(first.override_params).toEqual({ model: 'gpt-4o', temperature: 0 });
    expect(first.target).toEqual({ virtual_key: 'openai-prod' });
    expect(first.virtual_key_path).toBe('config.targets[0].override_params.model');
    // Inherited from the group; the target names its virtual key itself as `@slug`.
    const nested = leafAt(plan.root, 1, 0);
    expect(nested.override_params).toEqual({ model: 'claude-3-5-sonnet-20241022' });
    expect(nested.target).toEqual({ provider: '@anthropic-prod' });
    expect(nested.virtual_key_path).toBeUndefined();
  });

  it('a virtual key the target or the headers name beats the model’s slug, which is still left out', () => {
    const named = resolveConfig(
      parseConfigOrThrow({ virtual_key: 'named', override_params: { model: '@other/gpt-4o' } }),
    ).root as PlanLeaf;
    expect(named).toMatchObject({ target: { virtual_key: 'named' }, override_params: { model: 'gpt-4o' } });
    expect(named.virtual_key_path).toBeUndefined();
    const fromHeader = resolveConfig(parseConfigOrThrow({ override_params: { model: '@other/gpt-4o' } }), {
      virtual_key: 'header-vk',
    }).root as PlanLeaf;
    expect(fromHeader.target).toEqual({ virtual_key: 'header-vk' });
    // A plain provider and key (the headers’ here) give way to the model’s virtual key, as with the body’s.
    const plain = resolveConfig(parseConfigOrThrow({ override_params: { model: '@vk/gpt-4o' } }), {
      provider: 'openai',
      api_key: 'sk-caller',
    }).root as PlanLeaf;
    expect(plain).toMatchObject({
      target: { provider: 'openai', api_key: 'sk-caller', virtual_key: 'vk' },
      override_params: { model: 'gpt-4o' },
      virtual_key_path: 'config.override_params.model',
    });
  });

  it('leaves a plain model, and a model that only looks like the form, as written', () => {
    for (const model of ['gpt-4o', 'accounts/fireworks/models/llama', '@/gpt-4o', '@UPPER/gpt-4o']) {
      const leaf = resolveConfig(parseConfigOrThrow({ provider: 'openai', override_params: { model } }))
        .root as PlanLeaf;
      expect(leaf.override_params.model).toBe(model);
      expect(leaf.target).toEqual({ provider: 'openai' });
    }
  });
});
