import { describe, expect, it } from 'vitest';
import type { PkError } from '../errors/error-envelope.js';
import type { ConditionContext } from '../model/conditions.js';
import { group, leaf, planOf } from '../testing/plan-builders.js';
import { createRequestConditionContext } from './conditional.js';
import { runScenario } from './test-scenario.js';

const plan = planOf(
  group({
    mode: 'conditional',
    conditions: [
      { query: { 'metadata.user.plan': 'enterprise' }, then: 'big' },
      {
        query: { 'params.model': { $in: ['gpt-4o', 'o3'] }, 'metadata.region': { $ne: 'eu' } },
        then: 'smart',
      },
      { query: { 'url.pathname': { $regex: '/embeddings$' } }, then: 'embed' },
      { query: { $or: [{ 'params.max_tokens': { $gt: 4000 } }, { 'metadata.long': true }] }, then: 'long' },
    ],
    default: 'cheap',
    targets: [
      leaf({ name: 'cheap' }),
      leaf({ name: 'big' }),
      leaf({ name: 'smart' }),
      leaf({ name: 'embed' }),
      group({ mode: 'fallback', name: 'long', targets: [leaf(), leaf()] }),
    ],
  }),
);

describe('conditional', () => {
  it.each<{ request: ConditionContext; expected: string }>([
    { request: {}, expected: 'config.targets[0]' },
    { request: { metadata: { user: { plan: 'enterprise' } } }, expected: 'config.targets[1]' },
    { request: { params: { model: 'o3' } }, expected: 'config.targets[2]' },
    { request: { params: { model: 'o3' }, metadata: { region: 'eu' } }, expected: 'config.targets[0]' },
    { request: { url: { pathname: '/v1/embeddings' } }, expected: 'config.targets[3]' },
    { request: { params: { max_tokens: '8000' } }, expected: 'config.targets[4].targets[0]' },
    // First match wins even when a later condition matches too.
    { request: { metadata: { user: { plan: 'enterprise' }, long: true } }, expected: 'config.targets[1]' },
  ])('$request → $expected', async ({ request, expected }) => {
    const run = await runScenario({ plan, request, script: { [expected]: { ok: 'answer' } } });
    expect(run.calls.map((call) => call.path)).toEqual([expected]);
    expect(run.result.path).toBe(expected);
  });

  it('reads the context through the conditionContext port when given', async () => {
    const run = await runScenario({
      plan,
      request: 'opaque request',
      ports: { conditionContext: () => ({ params: { model: 'gpt-4o' } }) },
    });
    expect(run.calls.map((call) => call.path)).toEqual(['config.targets[2]']);
  });

  it('no match and no default: 400 PK_ERR_NO_ROUTE, nothing called', async () => {
    const noDefault = planOf(
      group({
        mode: 'conditional',
        conditions: [{ query: { 'metadata.x': 1 }, then: 'a' }],
        targets: [leaf({ name: 'a' })],
      }),
    );
    const run = await runScenario({ plan: noDefault, request: { metadata: { x: 2 } } });
    expect(run.calls).toEqual([]);
    expect(run.result.outcome).toMatchObject({ ok: false, status: 400 });
    expect((run.result.outcome as { error: PkError }).error.code).toBe('PK_ERR_NO_ROUTE');
    expect(run.result.path).toBe('config');
  });

  it('a route naming no target is a 400 PK_ERR_NO_ROUTE, which an outer fallback moves on from', async () => {
    const nested = planOf(
      group({
        mode: 'fallback',
        targets: [group({ mode: 'conditional', default: 'missing', targets: [leaf({ name: 'a' })] }), leaf()],
      }),
    );
    const run = await runScenario({ plan: nested, script: { 'config.targets[1]': { ok: 'B' } } });
    expect(run.result.path).toBe('config.targets[1]');
  });
});

describe('createRequestConditionContext', () => {
  it('gives metadata, the routed body as params and the pathname without its query', () => {
    const port = createRequestConditionContext({
      metadata: { _user: 'u1', tier: 'pro' },
      url: '/v1/chat/completions?api-version=1#x',
    });
    expect(port({ body: { model: 'gpt-4o' } })).toEqual({
      metadata: { _user: 'u1', tier: 'pro' },
      params: { model: 'gpt-4o' },
      url: { pathname: '/v1/chat/completions' },
    });
  });

  it('reads the pathname of an absolute URL; no metadata or body gives empty objects', () => {
    const port = createRequestConditionContext({ url: 'http://localhost:8787/v1/embeddings?x=1' });
    expect(port({})).toEqual({ metadata: {}, params: {}, url: { pathname: '/v1/embeddings' } });
  });

  it('routes a conditional plan as the gateway sees a request', async () => {
    const run = await runScenario({
      plan,
      request: { body: { model: 'm' } },
      ports: {
        conditionContext: (request) =>
          createRequestConditionContext({ url: '/v1/embeddings' })(
            request as { body?: Record<string, unknown> },
          ),
      },
    });
    expect(run.result.path).toBe('config.targets[3]');
  });
});
