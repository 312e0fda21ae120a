import { generateMasterKey } from '@pk/store';
import { createTemporaryDatabase, requirePostgres, type TemporaryDatabase } from '@pk/store/testing';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';

// A hook's `on_fail` / `on_success` feedback, saved as feedback on the request's trace as Portkey's
// hosted gateway does: through the built gateway and the portkey-ai SDK, read back from the trace
// (`GET /v1/traces/:traceId`, what the console's trace view shows), on SQLite and on PostgreSQL.
const TEAM = 'pk-hook-feedback-team';
const ADMIN = 'pk-hook-feedback-admin';
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

type Json = Record<string, unknown>;

const settingsOf = (upstream: MockOpenAI) => ({
  gateway_keys: [
    { id: 'team', key: TEAM, tenant: 'feedback-team' },
    { id: 'logs-admin', key: ADMIN, role: 'admin' },
  ],
  virtual_keys: {
    'openai-a': {
      provider: 'openai',
      api_key: 'sk-hook-feedback',
      options: { custom_host: `${upstream.url}/v1` },
    },
  },
});

/** Input hooks: one that fails (on_fail), one that passes (on_success), one `async` that fails; an output one that passes. */
const config = {
  virtual_key: 'openai-a',
  input_guardrails: [
    {
      id: 'no-capitals',
      'default.contains': { words: ['capital'], operator: 'none' },
      on_fail: { feedback: { value: -5, weight: 0.5, metadata: { team: 'safety' } } },
      on_success: { feedback: { value: 5 } },
    },
    {
      id: 'short-enough',
      'default.wordCount': { minWords: 1, maxWords: 50 },
      on_success: { feedback: { value: 3 } },
      on_fail: { feedback: { value: -3 } },
    },
    {
      id: 'few-words-async',
      async: true,
      'default.wordCount': { minWords: 1, maxWords: 3 },
      on_fail: { feedback: { value: -2, weight: 0.25 } },
    },
    // Feedback without a value is reported in hook_results only: nothing to save.
    {
      id: 'weight-only',
      'default.characterCount': { minCharacters: 1 },
      on_success: { feedback: { weight: 1 } },
    },
  ],
  output_guardrails: [
    {
      id: 'says-paris',
      'default.contains': { words: ['Paris'], operator: 'any' },
      on_success: { feedback: { value: 4, metadata: { source: 'output' } } },
    },
  ],
};

const postgresUp = await requirePostgres('hook feedback on PostgreSQL');
const engines = postgresUp ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

describe.each(engines)('hooks’ feedback saved on the trace (%s)', (engine) => {
  let upstream: MockOpenAI;
  let gateway: FeatureGateway;
  let database: TemporaryDatabase | undefined;

  beforeAll(async () => {
    upstream = await startMockOpenAI();
    database = engine === 'postgres' ? await createTemporaryDatabase() : undefined;
    const masterKey = generateMasterKey();
    gateway = await startFeatureGateway({
      settings: settingsOf(upstream),
      env: database
        ? { PK_DATABASE_URL: database.url, PK_MASTER_KEY: 'env:PK_TEST_MASTER', PK_TEST_MASTER: masterKey }
        : {},
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await database?.drop();
  });

  const trace = async (traceId: string): Promise<Json> =>
    vi.waitFor(
      async () => {
        const response = await fetch(`${gateway.base}/traces/${traceId}`, {
          headers: { 'x-portkey-api-key': ADMIN },
        });
        expect(response.status).toBe(200);
        return (await response.json()) as Json;
      },
      { timeout: 5000, interval: 100 },
    );

  it('each hook’s feedback with a value is on the request’s trace: input and output, sync and async, its weight and the checks that decided', async () => {
    const traceId = `hook-feedback-${engine}-${Date.now().toString(36)}`;
    const portkey = new Portkey({
      baseURL: gateway.base,
      apiKey: TEAM,
      traceID: traceId,
      config,
      maxRetries: 0,
    });
    const completion = await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
    // The client's hook_results still carry the feedback, as Portkey's do.
    const hookResults = (completion as unknown as { hook_results: { before_request_hooks: Json[] } })
      .hook_results;
    expect(hookResults.before_request_hooks.find((hook) => hook.id === 'no-capitals')).toMatchObject({
      verdict: false,
      feedback: { value: -5, weight: 0.5 },
    });

    const feedback = await vi.waitFor(
      async () => {
        const body = await trace(traceId);
        const pieces = body.feedback as Json[];
        // The async hook's comes once it has finished.
        expect(pieces).toHaveLength(4);
        return pieces;
      },
      { timeout: 5000, interval: 100 },
    );
    const byValue = [...feedback].sort((a, b) => Number(a.value) - Number(b.value));
    expect(byValue).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        value: -5,
        weight: 0.5,
        metadata: {
          team: 'safety',
          successfulChecks: '',
          failedChecks: 'default.contains',
          erroredChecks: '',
        },
        created_at: expect.any(String),
      },
      expect.objectContaining({
        value: -2,
        weight: 0.25,
        metadata: { successfulChecks: '', failedChecks: 'default.wordCount', erroredChecks: '' },
      }),
      expect.objectContaining({
        value: 3,
        weight: 1,
        metadata: { successfulChecks: 'default.wordCount', failedChecks: '', erroredChecks: '' },
      }),
      expect.objectContaining({
        value: 4,
        weight: 1,
        metadata: {
          source: 'output',
          successfulChecks: 'default.contains',
          failedChecks: '',
          erroredChecks: '',
        },
      }),
    ]);
  });

  it('a stream’s hooks give theirs too, its output hook’s once the stream has ended', async () => {
    const traceId = `hook-feedback-stream-${engine}-${Date.now().toString(36)}`;
    const portkey = new Portkey({
      baseURL: gateway.base,
      apiKey: TEAM,
      traceID: traceId,
      config,
      maxRetries: 0,
    });
    const stream = await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices?.[0]?.delta?.content ?? '';
    expect(text).toBe('The capital of France is Paris.');
    const pieces = await vi.waitFor(
      async () => {
        const body = await trace(traceId);
        expect(body.feedback).toHaveLength(4);
        return body.feedback as Json[];
      },
      { timeout: 5000, interval: 100 },
    );
    expect(pieces.map((piece) => Number(piece.value)).sort((a, b) => a - b)).toEqual([-5, -2, 3, 4]);
  });

  it('a trace id as long as the gateway keeps (256 characters) gets its hook’s feedback too', async () => {
    const traceId = `long-${engine}-`.padEnd(256, 'x');
    const portkey = new Portkey({
      baseURL: gateway.base,
      apiKey: TEAM,
      traceID: traceId,
      config,
      maxRetries: 0,
    });
    const completion = await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
    const pieces = await vi.waitFor(
      async () => {
        const body = await trace(traceId);
        expect(body.trace_id).toBe(traceId);
        expect(body.feedback).toHaveLength(4);
        return body.feedback as Json[];
      },
      { timeout: 5000, interval: 100 },
    );
    expect(pieces.map((piece) => Number(piece.value)).sort((a, b) => a - b)).toEqual([-5, -2, 3, 4]);
  });

  it('a request without hooks saves no feedback; feedback given through the SDK sits beside a hook’s', async () => {
    const traceId = `no-hooks-${engine}-${Date.now().toString(36)}`;
    const plain = new Portkey({
      baseURL: gateway.base,
      apiKey: TEAM,
      traceID: traceId,
      config: { virtual_key: 'openai-a' },
      maxRetries: 0,
    });
    await plain.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect((await trace(traceId)).feedback).toEqual([]);
    await plain.feedback.create({ traceID: traceId, value: 9 });
    expect(((await trace(traceId)).feedback as Json[]).map((piece) => piece.value)).toEqual([9]);
  });

  it('a feedback value POST /v1/feedback would refuse is refused with the config, before any call', async () => {
    const portkey = new Portkey({
      baseURL: gateway.base,
      apiKey: TEAM,
      config: {
        virtual_key: 'openai-a',
        input_guardrails: [
          { 'default.contains': { words: ['x'], operator: 'none' }, on_fail: { feedback: { value: 11 } } },
        ],
      },
      maxRetries: 0,
    });
    const error = await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages }).then(
      () => undefined,
      (caught: unknown) => caught as { status?: number; message?: string },
    );
    expect(error?.status).toBe(400);
    expect(error?.message).toContain('on_fail.feedback.value');
    expect(error?.message).toContain('expected an integer from -10 to 10');
  });
});
