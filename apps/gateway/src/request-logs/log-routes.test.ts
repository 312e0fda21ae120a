import { createPriceTable } from '@pk/prices';
import { describe, expect, it } from 'vitest';
import { customLogRecord, logFilterOf } from './log-routes.js';
import { readLogStoreOptions } from './log-store-options.js';

describe('GET /v1/logs parameters', () => {
  it('reads snake_case filters, repeated metadata and ISO times', () => {
    const filter = logFilterOf(
      {
        trace_id: 't-1',
        status: '200',
        virtual_key: 'vk',
        config: 'pc-1',
        cache_status: 'HIT',
        error_code: 'PK_ERR_STREAM_INTERRUPTED',
        failed: 'true',
        'metadata._user': 'ada',
        'metadata.team': ['a', 'b'],
        from: '2026-01-01T00:00:00Z',
        limit: '20',
      },
      'acme',
    );
    expect(filter).toMatchObject({
      tenant: 'acme',
      traceId: 't-1',
      status: 200,
      virtualKey: 'vk',
      configId: 'pc-1',
      cacheStatus: 'HIT',
      errorCode: 'PK_ERR_STREAM_INTERRUPTED',
      failed: true,
      from: Date.UTC(2026, 0, 1),
      limit: 20,
      metadata: [
        ['_user', 'ada'],
        ['team', 'a'],
        ['team', 'b'],
      ],
    });
  });

  it('refuses a parameter it does not know, naming it; takes Portkey’s spellings of its filters', () => {
    for (const name of ['user', 'status_codes', 'ai_models', 'with_bodies'])
      expect(() => logFilterOf({ [name]: 'x' }, undefined)).toThrow(
        new RegExp(`^${name} is not a parameter`),
      );
    expect(
      logFilterOf(
        {
          status_code: '500',
          ai_org_model: 'openai__gpt-4o',
          virtual_keys: 'vk',
          configs: 'pc-1',
          prompt_slug: 'p',
          time_of_generation_min: '2026-01-01T00:00:00Z',
          metadata: '{"_user":"ada","team":"red"}',
        },
        undefined,
      ),
    ).toMatchObject({
      status: 500,
      provider: 'openai',
      model: 'gpt-4o',
      virtualKey: 'vk',
      configId: 'pc-1',
      prompt: 'p',
      from: Date.UTC(2026, 0, 1),
      metadata: [
        ['_user', 'ada'],
        ['team', 'red'],
      ],
    });
    expect(() => logFilterOf({ status: '500', status_code: '200' }, undefined)).toThrow(/must agree/);
    expect(() => logFilterOf({ ai_model: 'a', ai_org_model: 'openai__b' }, undefined)).toThrow(/different/);
  });

  it('refuses what it cannot read, naming the parameter', () => {
    expect(() => logFilterOf({ limit: '0' }, undefined)).toThrow(/limit/);
    expect(() => logFilterOf({ from: 'yesterday' }, undefined)).toThrow(/from/);
    expect(() => logFilterOf({ status: ['200', '500'] }, undefined)).toThrow(/status/);
    expect(logFilterOf({ failed: 'false' }, undefined).failed).toBe(false);
    expect(() => logFilterOf({ failed: 'yes' }, undefined)).toThrow('failed must be true or false');
    expect(() => logFilterOf({ failed: '' }, undefined)).toThrow('failed must be true or false');
    // Each pair after the first is a subquery of every page: at most 8.
    const eight = { 'metadata.team': ['a', 'b', 'c', 'd'], 'metadata.env': ['e', 'f', 'g', 'h'] };
    expect(logFilterOf(eight, undefined).metadata).toHaveLength(8);
    expect(() => logFilterOf({ ...eight, 'metadata._user': 'ada' }, undefined)).toThrow(
      'at most 8 metadata.<key>=<value> filters',
    );
  });
});

describe('GET /v1/logs cost and token ranges', () => {
  it('reads Portkey’s cost_min and cost_max in cents (its exports’ and analytics’ unit) as USD, and total_units_min/_max in tokens', () => {
    expect(
      logFilterOf(
        { cost_min: '4.21', cost_max: '100', total_units_min: '10', total_units_max: '2000' },
        'acme',
      ),
    ).toMatchObject({ costMin: 0.0421, costMax: 1, tokensMin: 10, tokensMax: 2000 });
    expect(logFilterOf({}, 'acme')).toMatchObject({ costMin: undefined, tokensMax: undefined });
  });

  it('refuses a range bound that is not a number of cents or tokens, naming it', () => {
    expect(() => logFilterOf({ cost_min: 'cheap' }, undefined)).toThrow(
      'cost_min must be a number of cents (USD × 100) from 0',
    );
    expect(() => logFilterOf({ cost_max: '-1' }, undefined)).toThrow(/^cost_max must be/);
    expect(() => logFilterOf({ cost_max: '' }, undefined)).toThrow(/^cost_max must be/);
    expect(() => logFilterOf({ total_units_min: '1.5' }, undefined)).toThrow(
      /^total_units_min must be a whole number/,
    );
  });
});

describe('POST /v1/logs (Portkey custom log)', () => {
  it('takes trace and span ids from the metadata, prices the usage, keeps no header', () => {
    const record = customLogRecord(
      {
        request: {
          url: 'https://api.openai.com/v1/chat/completions',
          provider: 'openai',
          headers: { authorization: 'Bearer sk-secret' },
          body: { model: 'gpt-4o' },
        },
        response: {
          status: 200,
          body: { usage: { prompt_tokens: 1000, completion_tokens: 100 } },
          response_time: 42,
        },
        metadata: { traceId: 'tr-9', span_id: 's-1', _user: 'ada' },
      },
      {
        tenant: 'acme',
        gatewayKeyId: 'k',
        traceId: 'generated',
        headerMetadata: { env: 'prod' },
        bodies: false,
        prices: createPriceTable(),
      },
    );
    expect(record).toMatchObject({
      source: 'custom',
      tenant: 'acme',
      traceId: 'tr-9',
      spanId: 's-1',
      provider: 'openai',
      model: 'gpt-4o',
      status: 200,
      latencyMs: 42,
      costStatus: 'priced',
      metadata: { _user: 'ada', env: 'prod' },
    });
    expect(record.cost).toBeGreaterThan(0);
    expect(JSON.stringify(record)).not.toContain('sk-secret');
    expect(record.errorCode).toBeUndefined();
  });

  it('gives a failed log the code of its answer’s error (code, else type), else its status', () => {
    const errorCodeOf = (status: number, body: unknown) =>
      customLogRecord(
        { request: { url: 'https://api.openai.com/v1/chat/completions' }, response: { status, body } },
        {
          tenant: 'acme',
          gatewayKeyId: undefined,
          traceId: 't',
          headerMetadata: undefined,
          bodies: false,
          prices: createPriceTable(),
        },
      ).errorCode;
    expect(
      errorCodeOf(400, { error: { type: 'invalid_request_error', code: 'context_length_exceeded' } }),
    ).toBe('context_length_exceeded');
    expect(errorCodeOf(429, { error: { type: 'rate_limit_error', code: null } })).toBe('rate_limit_error');
    expect(errorCodeOf(503, { error: 'overloaded' })).toBe('503');
    expect(errorCodeOf(500, undefined)).toBe('500');
    // A success keeps none, whatever its body says.
    expect(errorCodeOf(200, { error: { type: 'server_error' } })).toBeUndefined();
  });
});

describe('log store variables', () => {
  it('defaults: on, 30 days, no bodies, 20,000 queued, written every second; bad values refused', () => {
    expect(readLogStoreOptions({})).toEqual({
      enabled: true,
      retentionDays: 30,
      bodies: false,
      queueSize: 20_000,
      flushMs: 1000,
      publicUrl: undefined,
    });
    expect(readLogStoreOptions({ PK_LOG_STORE_FLUSH_MS: '50' }).flushMs).toBe(50);
    expect(() => readLogStoreOptions({ PK_LOG_STORE_FLUSH_MS: '5' })).toThrow(/PK_LOG_STORE_FLUSH_MS/);
    expect(() => readLogStoreOptions({ PK_LOG_STORE_FLUSH_MS: 'soon' })).toThrow(/PK_LOG_STORE_FLUSH_MS/);
    expect(readLogStoreOptions({ PK_LOG_STORE: 'off', PK_LOG_BODIES: 'true' })).toMatchObject({
      enabled: false,
      bodies: true,
    });
    expect(() => readLogStoreOptions({ PK_LOG_RETENTION_DAYS: '0' })).toThrow(/PK_LOG_RETENTION_DAYS/);
    expect(() => readLogStoreOptions({ PK_LOG_BODIES: 'maybe' })).toThrow(/PK_LOG_BODIES/);
  });

  it('PK_PUBLIC_URL: the base of the links the gateway hands out, its trailing slashes dropped', () => {
    expect(readLogStoreOptions({ PK_PUBLIC_URL: 'https://ai.example.com/' }).publicUrl).toBe(
      'https://ai.example.com',
    );
    expect(readLogStoreOptions({ PK_PUBLIC_URL: ' https://ai.example.com/pk// ' }).publicUrl).toBe(
      'https://ai.example.com/pk',
    );
    for (const bad of [
      'ai.example.com',
      'ftp://ai.example.com',
      'https://ai.example.com/?x=1',
      'https://a/#x',
    ])
      expect(() => readLogStoreOptions({ PK_PUBLIC_URL: bad }), bad).toThrow(/PK_PUBLIC_URL/);
  });
});
