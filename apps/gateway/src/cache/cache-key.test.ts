import type { PlanLeaf } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { cacheKeyOf, rootCacheKeyOf } from './cache-key.js';

const leaf = (target: Record<string, unknown>, override_params: Record<string, unknown> = {}): PlanLeaf =>
  ({
    kind: 'leaf',
    path: 'config',
    weight: 1,
    target,
    override_params,
    retry: {
      attempts: 0,
      on_status_codes: [],
      use_retry_after_header: false,
      backoff: { initial_ms: 1000, factor: 2, max_ms: Infinity, jitter: 'none' },
    },
  }) as PlanLeaf;
const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], temperature: 0 };
const base = {
  tenant: 'team-a',
  leaf: leaf({ provider: 'openai', api_key: 'sk-1' }),
  endpoint: 'chat.completions',
  body,
};

describe('cacheKeyOf', () => {
  it('keeps apart requests whose forwarded headers differ, and keys without any as before', () => {
    const alice = cacheKeyOf({ ...base, forwarded: { 'x-user-token': 'alice' } });
    expect(cacheKeyOf({ ...base, forwarded: { 'x-user-token': 'mallory' } })).not.toBe(alice);
    expect(cacheKeyOf({ ...base, forwarded: {} })).not.toBe(alice);
    expect(cacheKeyOf({ ...base, forwarded: { 'x-user-token': 'alice' } })).toBe(alice);
    expect(alice).not.toContain('alice');
    expect(cacheKeyOf({ ...base, forwarded: undefined })).toBe(cacheKeyOf(base));
  });

  it('keeps apart targets whose other credentials or provider options differ, and keeps a target without any as before', () => {
    const bedrock = (options: Record<string, unknown>) =>
      cacheKeyOf({
        ...base,
        leaf: leaf({ provider: 'bedrock', aws_access_key_id: 'AKIA1', aws_region: 'us-east-1', ...options }),
      });
    const key = bedrock({ aws_secret_access_key: 'secret-1' });
    // Another AWS secret (a client with wrong credentials), region, role: another entry.
    expect(bedrock({ aws_secret_access_key: 'wrong' })).not.toBe(key);
    expect(bedrock({ aws_secret_access_key: 'secret-1', aws_region: 'eu-west-1' })).not.toBe(key);
    expect(bedrock({ aws_secret_access_key: 'secret-1', aws_role_arn: 'arn:aws:iam::1:role/r' })).not.toBe(
      key,
    );
    expect(bedrock({ aws_secret_access_key: 'secret-1' })).toBe(key);
    expect(key).not.toContain('secret-1');
    const openai = (options: Record<string, unknown>) =>
      cacheKeyOf({ ...base, leaf: leaf({ provider: 'openai', api_key: 'sk-1', ...options }) });
    expect(openai({ openai_project: 'proj_a' })).not.toBe(openai({ openai_project: 'proj_b' }));
    const anthropic = (options: Record<string, unknown>) =>
      cacheKeyOf({ ...base, leaf: leaf({ provider: 'anthropic', api_key: 'sk-1', ...options }) });
    expect(anthropic({ anthropic_beta: 'a' })).not.toBe(anthropic({}));
    // A target with none of them keeps the key it always had (entries survive an upgrade).
    expect(openai({})).toBe(cacheKeyOf(base));
  });

  it('keeps a target’s output hooks in its key, and a target without any keys as before', () => {
    const guarded = (hooks: Record<string, unknown>[]): PlanLeaf =>
      ({ ...leaf({ provider: 'openai', api_key: 'sk-1' }), after_request_hooks: hooks }) as PlanLeaf;
    const deny = [{ type: 'guardrail', id: 'pii-deny' }];
    const plain = cacheKeyOf(base);
    expect(cacheKeyOf({ ...base, leaf: guarded([]) })).toBe(plain);
    const denying = cacheKeyOf({ ...base, leaf: guarded(deny) });
    expect(denying).not.toBe(plain);
    expect(cacheKeyOf({ ...base, leaf: guarded([{ type: 'mutator', id: 'pii-redact' }]) })).not.toBe(denying);
    // The same hooks as written (another request's plan, another leaf object): the same entries.
    expect(cacheKeyOf({ ...base, leaf: guarded([{ id: 'pii-deny', type: 'guardrail' }]) })).toBe(denying);
  });

  it('ignores stream, stream_options, user and key order', () => {
    const key = cacheKeyOf(base);
    expect(
      cacheKeyOf({
        ...base,
        body: {
          temperature: 0,
          messages: body.messages,
          model: 'gpt-4o-mini',
          stream: true,
          stream_options: { include_usage: true },
          user: 'u',
        },
      }),
    ).toBe(key);
    expect(key).toMatch(/^pk:c:[0-9a-f]{64}$/);
  });

  it('never contains the provider key', () => {
    expect(cacheKeyOf(base)).not.toContain('sk-1');
  });

  it.each([
    ['another tenant', { tenant: 'team-b' }],
    ['another provider key', { leaf: leaf({ provider: 'openai', api_key: 'sk-2' }) }],
    ['a virtual key instead', { leaf: leaf({ provider: 'openai', virtual_key: 'vk', api_key: 'sk-1' }) }],
    ['another provider', { leaf: leaf({ provider: 'groq', api_key: 'sk-1' }) }],
    [
      'another custom host',
      { leaf: leaf({ provider: 'openai', api_key: 'sk-1', custom_host: 'http://localhost:1/v1' }) },
    ],
    ['override_params', { leaf: leaf({ provider: 'openai', api_key: 'sk-1' }, { model: 'gpt-4o' }) }],
    ['another endpoint', { endpoint: 'embeddings' }],
    ['another body', { body: { ...body, temperature: 1 } }],
    ['a namespace', { namespace: 'team-a-ns' }],
    ['metadata', { metadata: { _user: 'u1' } }],
    ['a non-strict request', { strict: false }],
    [
      'a non-strict leaf',
      { leaf: { ...leaf({ provider: 'openai', api_key: 'sk-1' }), strict_open_ai_compliance: false } },
    ],
  ])('changes with %s', (_name, change) => {
    expect(cacheKeyOf({ ...base, ...change })).not.toBe(cacheKeyOf(base));
  });

  // Entries in Redis outlive a gateway version: the same request must keep its key across versions.
  it('keeps the key bytes of earlier versions', () => {
    const pinned = leaf(
      { provider: 'openai', api_key: 'sk-1', custom_host: 'http://127.0.0.1:1/v1' },
      { temperature: 0.5, '10': 'x' },
    );
    const request = {
      model: 'gpt-4o-mini',
      stream: true,
      user: 'u',
      messages: [{ role: 'user', content: 'hi “é” \u2028', name: undefined }],
      '2': [1, undefined, null],
      b: { z: 1, a: [{}, []] },
      temperature: 0,
      n: 1e21,
      s: -0,
    };
    const metadata = { _user: 'x', a: { c: 1, b: 2 } };
    const tenant = 'team-a';
    const endpoint = 'chat.completions';
    expect(cacheKeyOf({ tenant, leaf: pinned, endpoint, body: request, metadata })).toBe(
      'pk:c:a818ff5bf4321ee42908af03a939e7bbca9513dbe4e7c9d3f5d17c2ea7b8777b',
    );
    expect(
      cacheKeyOf({ tenant, leaf: pinned, endpoint, body: request, namespace: 'ns', strict: false }),
    ).toBe('pk:c:cfd8746477644c894c96b11b46ace519a23b7703578ebfbf3a3917fa35a89126');
    const plan = { root: pinned, config_id: 'c', warnings: [] };
    expect(rootCacheKeyOf({ tenant: 'anonymous', plan, endpoint, body: request, metadata })).toBe(
      'pk:c:f412ec914503e27cc4cf8e17383dee4b793c62197d3876be0cdf48e32c3a15f3',
    );
  });

  it('a namespace replaces the metadata in the key', () => {
    expect(cacheKeyOf({ ...base, namespace: 'ns', metadata: { a: 1 } })).toBe(
      cacheKeyOf({ ...base, namespace: 'ns', metadata: { b: 2 } }),
    );
  });
});

describe('rootCacheKeyOf', () => {
  const plan = (target: Record<string, unknown>, override_params: Record<string, unknown> = {}) => ({
    root: leaf(target, override_params),
    config_id: 'c',
    warnings: [],
  });
  const root = {
    tenant: 'team-a',
    plan: plan({ provider: 'openai', api_key: 'sk-1' }),
    endpoint: 'chat.completions',
    body,
  };

  it('keeps the metadata beside a namespace when a conditional routing reads it (the root is looked up before routing)', () => {
    const routed = (query: Record<string, unknown>) => ({
      root: {
        kind: 'group',
        path: 'config',
        weight: 1,
        strategy: { mode: 'conditional', conditions: [{ query, then: 'pro' }], default: 'free' },
        targets: [
          leaf({ provider: 'openai', api_key: 'sk-1' }),
          leaf({ provider: 'openai', api_key: 'sk-2' }),
        ],
      } as unknown as PlanLeaf,
      config_id: 'c',
      warnings: [],
    });
    const byTier = routed({ 'metadata.tier': 'pro' });
    const keyOf = (input: { plan: typeof byTier; metadata: Record<string, unknown> }) =>
      rootCacheKeyOf({ ...root, ...input, namespace: 'ns' });
    expect(keyOf({ plan: byTier, metadata: { tier: 'pro' } })).not.toBe(
      keyOf({ plan: byTier, metadata: { tier: 'free' } }),
    );
    // Routed by the body only: the namespace stands for the metadata, as before.
    const byModel = routed({ 'params.model': 'gpt-4o' });
    expect(keyOf({ plan: byModel, metadata: { tier: 'pro' } })).toBe(
      keyOf({ plan: byModel, metadata: { tier: 'free' } }),
    );
    expect(keyOf({ plan: root.plan, metadata: { tier: 'pro' } })).toBe(
      keyOf({ plan: root.plan, metadata: { tier: 'free' } }),
    );
  });

  it('is a pk:c: SHA-256 that never contains a credential, and equal for the same request', () => {
    expect(rootCacheKeyOf(root)).toMatch(/^pk:c:[0-9a-f]{64}$/);
    expect(rootCacheKeyOf(root)).toBe(rootCacheKeyOf({ ...root, body: { ...body, stream: true } }));
    expect(rootCacheKeyOf(root)).not.toContain('sk-1');
  });

  it.each([
    ['another tenant', { tenant: 'team-b' }],
    ['another credential in the plan', { plan: plan({ provider: 'openai', api_key: 'sk-2' }) }],
    ['a non-strict request', { strict: false }],
    ['a namespace', { namespace: 'ns' }],
    ['another endpoint', { endpoint: 'embeddings' }],
  ])('changes with %s', (_name, change) => {
    expect(rootCacheKeyOf({ ...root, ...change })).not.toBe(rootCacheKeyOf(root));
  });

  it('is taken after the root’s override_params: a body field they replace does not matter', () => {
    const overridden = plan({ provider: 'openai', api_key: 'sk-1' }, { temperature: 0 });
    expect(rootCacheKeyOf({ ...root, plan: overridden, body: { ...body, temperature: 1 } })).toBe(
      rootCacheKeyOf({ ...root, plan: overridden, body: { ...body, temperature: 2 } }),
    );
  });
});
