import type { StoredRequestLog } from '@pk/store';
import { describe, expect, it } from 'vitest';
import { exportPlanOf, MAX_EXPORT_RECORDS } from './export-filters.js';
import { checkRequestedData, EXPORT_FIELDS, exportLineOf, needsBodies } from './export-lines.js';

const RECORD: StoredRequestLog = {
  id: 'log-1',
  created_at: '2026-12-01T10:00:00.000Z',
  tenant: 'app',
  trace_id: 'trace-1',
  span_id: null,
  parent_span_id: null,
  span_name: null,
  source: 'proxy',
  gateway_key_id: 'key-1',
  virtual_key: 'openai-prod',
  config_id: 'pc-support-1a2b3c',
  config_version: 2,
  prompt: 'pp-answer-1a2b3c@1',
  method: 'POST',
  endpoint: 'chat.completions',
  path: null,
  stream: false,
  provider: 'openai',
  model: 'gpt-4o-mini',
  answered_model: 'gpt-4o-mini-2024-07-18',
  status: 200,
  error_code: null,
  latency_ms: 412,
  first_byte_ms: 410,
  overhead_ms: 1,
  usage: {
    prompt_tokens: 12,
    completion_tokens: 9,
    total_tokens: 21,
    cached_tokens: null,
    cache_write_tokens: null,
    reasoning_tokens: null,
  },
  cost: 0.0000072,
  cost_status: 'priced',
  cost_source: 'price_table',
  cost_parts: null,
  cache_status: 'MISS',
  retries: 0,
  target_path: 'config',
  metadata: { _user: 'ada', team: 'a' },
  attempts: [],
  error_message: null,
  guardrails: null,
  request_body: '{"model":"gpt-4o-mini","messages":[]}',
  response_body: '{"object":"chat.completion"',
  body_truncated: true,
};

describe('exportPlanOf', () => {
  it("maps Portkey's filters onto the log filter, a date alone as max taking in that whole day", () => {
    const plan = exportPlanOf(
      {
        time_of_generation_min: '2026-11-01',
        time_of_generation_max: '2026-11-30',
        trace_id: 'trace-1',
        status_code: '200',
        ai_org_model: 'openai__gpt-4o-mini',
        virtual_keys: 'openai-prod',
        configs: 'pc-support-1a2b3c',
        prompt_slug: 'pp-answer-1a2b3c',
        metadata: { team: 'a', _user: 'ada' },
        page_size: 100,
        current_page: 2,
      },
      'app',
    );
    expect(plan.filter).toEqual({
      tenant: 'app',
      traceId: 'trace-1',
      status: 200,
      provider: 'openai',
      model: 'gpt-4o-mini',
      virtualKey: 'openai-prod',
      configId: 'pc-support-1a2b3c',
      prompt: 'pp-answer-1a2b3c',
      cacheStatus: undefined,
      from: Date.parse('2026-11-01T00:00:00Z'),
      to: Date.parse('2026-12-01T00:00:00Z'),
      metadata: [
        ['team', 'a'],
        ['_user', 'ada'],
      ],
    });
    expect(plan).toMatchObject({ skip: 200, limit: 100 });
    // A time as max is taken as written.
    expect(exportPlanOf({ time_of_generation_max: '2026-11-30T12:00:00Z' }, undefined).filter.to).toBe(
      Date.parse('2026-11-30T12:00:00Z'),
    );
    expect(exportPlanOf({}, undefined)).toMatchObject({ skip: 0, limit: MAX_EXPORT_RECORDS });
    // pk's additions: the provider alone, the cache status, the error code, the failed requests.
    expect(
      exportPlanOf(
        { ai_org: 'anthropic', cache_status: 'HIT', error_code: 'overloaded_error', failed: true },
        'app',
      ).filter,
    ).toMatchObject({
      provider: 'anthropic',
      model: undefined,
      cacheStatus: 'HIT',
      errorCode: 'overloaded_error',
      failed: true,
    });
    expect(exportPlanOf({ failed: 'false' }, 'app').filter.failed).toBe(false);
  });

  it('applies numeric ranges to each record, costs in cents', () => {
    const accepts = (filters: Record<string, unknown>) => exportPlanOf(filters, undefined).accepts(RECORD);
    expect(accepts({ total_units_min: 21, total_units_max: 21 })).toBe(true);
    expect(accepts({ total_units_min: 22 })).toBe(false);
    expect(accepts({ prompt_token_max: 11 })).toBe(false);
    expect(accepts({ completion_token_min: '9' })).toBe(true);
    // 0.0000072 USD is 0.00072 cents.
    expect(accepts({ cost_min: 0.0007, cost_max: 0.0008 })).toBe(true);
    expect(accepts({ cost_min: 0.001 })).toBe(false);
    // A record without usage never matches a range on it.
    expect(
      exportPlanOf({ total_units_min: 0 }, undefined).accepts({
        ...RECORD,
        usage: { ...RECORD.usage, total_tokens: null },
      }),
    ).toBe(false);
  });

  it('refuses, naming it, a filter it cannot apply exactly', () => {
    const refusal = (filters: Record<string, unknown>) => {
      try {
        exportPlanOf(filters, undefined);
      } catch (error) {
        return { message: (error as Error).message, param: (error as { param?: string }).param };
      }
      return undefined;
    };
    expect(refusal({ weighted_feedback_min: 1 })).toMatchObject({ param: 'filters.weighted_feedback_min' });
    expect(refusal({ workspace_slug: 'ws' })?.message).toContain('not a filter pk exports by');
    expect(refusal({ virtual_keys: 'a, b' })?.message).toContain('one value at a time');
    expect(refusal({ ai_org_model: 'gpt-4o' })?.message).toContain('provider__model');
    expect(refusal({ ai_model: 'a', ai_org_model: 'openai__b' })?.message).toContain('different models');
    expect(refusal({ ai_org: 'anthropic', ai_org_model: 'openai__b' })?.message).toContain(
      'different providers',
    );
    expect(refusal({ status_code: '200,429' })?.message).toContain('must be a number');
    expect(refusal({ page_size: 50_001 })?.message).toContain('from 1 to 50,000');
    expect(refusal({ current_page: -1 })?.param).toBe('filters.current_page');
    expect(refusal({ time_of_generation_min: 'last week' })?.message).toContain('ISO 8601');
    expect(
      refusal({ time_of_generation_min: '2026-12-02', time_of_generation_max: '2026-12-01' })?.message,
    ).toContain('before');
    expect(refusal({ metadata: ['team'] })?.message).toContain('an object');
    expect(refusal({ metadata: { team: { nested: true } } })?.message).toContain(
      'metadata.team must be text',
    );
    expect(
      refusal({ metadata: Object.fromEntries(Array.from({ length: 9 }, (_, index) => [`k${index}`, 'v'])) })
        ?.message,
    ).toContain('at most 8');
    expect(refusal({ trace_id: { $ne: 1 } })?.message).toContain('must be text');
    expect(refusal({ failed: 1 })?.message).toBe('filters.failed must be true or false');
  });
});

describe('export lines', () => {
  it('writes the requested fields in their order, with Portkey’s units', () => {
    const line = JSON.parse(exportLineOf(RECORD, EXPORT_FIELDS)) as Record<string, unknown>;
    expect(Object.keys(line)).toEqual(EXPORT_FIELDS);
    expect(line).toEqual({
      id: 'log-1',
      trace_id: 'trace-1',
      created_at: '2026-12-01T10:00:00.000Z',
      request: { model: 'gpt-4o-mini', messages: [] },
      // A body cut at 64 KiB is no longer JSON: its text.
      response: '{"object":"chat.completion"',
      is_success: 1,
      ai_org: 'openai',
      ai_model: 'gpt-4o-mini-2024-07-18',
      req_units: 12,
      res_units: 9,
      total_units: 21,
      request_url: null,
      cost: 0.00072,
      cost_currency: 'USD',
      response_time: 412,
      response_status_code: 200,
      mode: 'chat.completions',
      config: 'pc-support-1a2b3c',
      prompt_slug: 'pp-answer-1a2b3c@1',
      metadata: { _user: 'ada', team: 'a' },
      cache_status: 'MISS',
      request_method: 'POST',
      stream_mode: false,
      virtual_key: 'openai-prod',
      error_code: null,
      span_id: null,
      path: null,
      error_message: null,
      guardrails: null,
      cost_source: 'price_table',
      cost_parts: null,
    });
    // A pass-through request's path, as the logs API has it.
    expect(
      JSON.parse(
        exportLineOf({ ...RECORD, endpoint: 'passthrough', path: '/v1/files/file-abc/content' }, ['path']),
      ),
    ).toEqual({ path: '/v1/files/file-abc/content' });
    expect(
      JSON.parse(
        exportLineOf({ ...RECORD, status: 503, answered_model: null, cost: null, request_body: null }, [
          'is_success',
          'ai_model',
          'cost',
          'request',
        ]),
      ),
    ).toEqual({ is_success: 0, ai_model: 'gpt-4o-mini', cost: null, request: null });
    // A stream that answered 200 and then ended with an error did not succeed.
    expect(
      JSON.parse(exportLineOf({ ...RECORD, error_code: 'PK_ERR_STREAM_INTERRUPTED' }, ['is_success'])),
    ).toEqual({ is_success: 0 });
  });

  it('checks requested_data, and knows when bodies are needed', () => {
    expect(checkRequestedData(['id', 'cost'])).toEqual(['id', 'cost']);
    expect(() => checkRequestedData([])).toThrow('must list the fields');
    expect(() => checkRequestedData('id')).toThrow('must list the fields');
    expect(() => checkRequestedData(['id', 'toString'])).toThrow('"toString" is not a field');
    expect(() => checkRequestedData(['id', 'id'])).toThrow('names id twice');
    expect(needsBodies(['id', 'response'])).toBe(true);
    expect(needsBodies(['id', 'metadata'])).toBe(false);
  });
});
