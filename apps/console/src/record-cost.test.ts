import { describe, expect, it } from 'vitest';
import type { LogRecord } from './log-record.js';
import {
  attemptRoles,
  cacheStatusText,
  costPartsOf,
  costSourceText,
  costStatusText,
  retryText,
  strategyNotes,
  tokenUsageText,
} from './record-cost.js';

/** A record as `GET /v1/logs/:id` answers it, with the fields a case changes. */
const record = (fields: Record<string, unknown>): LogRecord => ({
  id: 'log_1',
  status: 200,
  provider: 'openai',
  model: 'gpt-4o-mini',
  answered_model: 'gpt-4o-mini',
  usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
  cost: 0.0000072,
  cost_status: 'priced',
  cost_source: 'price_table',
  cost_parts: null,
  cache_status: 'DISABLED',
  retries: 0,
  ...fields,
});

describe('costSourceText', () => {
  it('names where the cost came from: the provider’s own figure, pk’s price table, or the cache', () => {
    expect(costSourceText(record({ provider: 'openrouter', cost: 0.0421, cost_source: 'provider' }))).toBe(
      'openrouter: what it reported it charged',
    );
    expect(costSourceText(record({}))).toBe('pk’s price table (@pk/prices and the settings’ prices:)');
    expect(costSourceText(record({ cost: 0, cache_status: 'HIT' }))).toBe(
      'The cache: nothing was sent to a provider',
    );
    expect(costSourceText(record({ cost: null, cost_status: 'unknown_price', cost_source: null }))).toBe('—');
  });
});

describe('costStatusText', () => {
  it('says in words what was priced, or why nothing was, never a bare status or null', () => {
    expect(costStatusText(record({}))).toBe('Priced from 21 tokens (12 in, 9 out) of gpt-4o-mini on openai');
    expect(
      costStatusText(
        record({
          provider: 'openrouter',
          answered_model: 'openai/gpt-4o',
          cost: 0.0421,
          cost_source: 'provider',
        }),
      ),
    ).toBe(
      'Priced by openrouter for openai/gpt-4o: the cost it reported (usage.cost), not pk’s price of the tokens',
    );
    expect(
      costStatusText(
        record({ model: 'house-x', answered_model: 'house-x', cost: null, cost_status: 'unknown_price' }),
      ),
    ).toBe(
      'No price known for model house-x on openai: its cost is unknown (not $0). Give it a price in the settings (prices:).',
    );
    expect(costStatusText(record({ cost: null, cost_status: 'no_usage', usage: {} }))).toBe(
      'Not priced: the answer of gpt-4o-mini on openai reported no usage to price',
    );
    expect(costStatusText(record({ cost_status: 'partial_usage', error_code: 'server_error' }))).toBe(
      'Partial: the stream ended early, priced from the usage openai had reported by then (the output after it is not counted)',
    );
    expect(costStatusText(record({ cost: 0, cache_status: 'HIT', usage: {} }))).toBe(
      'Priced at $0: answered from the cache',
    );
    expect(costStatusText(record({ status: 503, cost: null, cost_status: null, cost_source: null }))).toBe(
      'No cost: the request failed, and a refused call is not billed',
    );
  });

  it('says a pass-through answer (a file, a batch) is not priced rather than leaving the status blank', () => {
    expect(
      costStatusText(
        record({ endpoint: 'proxy', path: '/v1/files/file-abc/content', cost: null, cost_status: null }),
      ),
    ).toBe('Not priced: pk records no cost for answers of /v1/files/file-abc/content');
    expect(costStatusText(record({ cost: null, cost_status: null }))).toBe('No cost recorded');
  });

  it('names a bidirectional control in a model name rather than applying it', () => {
    expect(
      costStatusText(record({ answered_model: 'evil\u202Egpt', cost: null, cost_status: 'unknown_price' })),
    ).toContain('model evil\\u202Egpt on openai');
  });
});

describe('costPartsOf', () => {
  it('lists a Realtime session’s parts with what each sums and costs, an unpriced one said so', () => {
    const parts = costPartsOf(
      record({
        cost_parts: [
          { part: 'responses', model: 'gpt-realtime', events: 2, total_tokens: 300, cost: 0.00496 },
          { part: 'input_audio_transcription', model: 'whisper-1', events: 1, seconds: 4.2, cost: 0.00042 },
          { part: 'input_audio_transcription', model: 'house-transcribe', events: 3, cost: null },
          { part: 'input_audio_transcription', model: null, events: 1, cost: null },
        ],
      }),
    );
    expect(parts).toEqual([
      { part: 'Responses', model: 'gpt-realtime', amount: '2 responses, 300 tokens', cost: '$0.004960' },
      {
        part: 'Input audio transcription',
        model: 'whisper-1',
        amount: '1 transcription, 4.2 s of audio',
        cost: '$0.000420',
      },
      {
        part: 'Input audio transcription',
        model: 'house-transcribe',
        amount: '3 transcriptions',
        cost: 'unpriced: no price known for house-transcribe (not in the total)',
      },
      {
        part: 'Input audio transcription',
        model: 'model not named by the session',
        amount: '1 transcription',
        cost: 'unpriced: no model to price (not in the total)',
      },
    ]);
    expect(costPartsOf(record({}))).toEqual([]);
  });
});

describe('tokenUsageText', () => {
  it('shows the total and its parts, cached and reasoning tokens when reported', () => {
    expect(tokenUsageText(record({}))).toBe('21 (12 in, 9 out)');
    expect(
      tokenUsageText(
        record({
          usage: {
            prompt_tokens: 1000,
            completion_tokens: 500,
            total_tokens: 1500,
            cached_tokens: 200,
            cache_write_tokens: 0,
            reasoning_tokens: 100,
          },
        }),
      ),
    ).toBe('1500 (1000 in of which 200 cached, 500 out of which 100 reasoning)');
    expect(
      tokenUsageText(record({ usage: { prompt_tokens: null, completion_tokens: null, total_tokens: null } })),
    ).toBe('—');
  });
});

describe('cacheStatusText', () => {
  it('says each cache status as Portkey’s log does, with what it meant', () => {
    expect(cacheStatusText('HIT')).toBe('Hit: answered from the cache');
    expect(cacheStatusText('SEMANTIC HIT')).toBe('Semantic hit: answered from the cache (a similar request)');
    expect(cacheStatusText('MISS')).toBe('Miss: asked the provider, answer stored');
    expect(cacheStatusText('DISABLED')).toBe('Disabled: no cache for this request');
    expect(cacheStatusText(null)).toBe('—');
  });
});

describe('retryText and attemptRoles', () => {
  const attempt = (target: string, status: number) => ({ target_path: target, status });
  it('says whether retries ran and how they ended, and which attempt was a retry or a fallback', () => {
    expect(retryText(record({}))).toBe('Not triggered');
    expect(retryText(record({ retries: 2 }))).toBe('Succeeded on try 3 (2 retries)');
    expect(retryText(record({ retries: 1, status: 503 }))).toBe('1 retry, then failed');
    expect(
      retryText(
        record({
          retries: -1,
          status: 503,
          attempts: [attempt('config', 503), attempt('config', 503), attempt('config', 503)],
        }),
      ),
    ).toBe('Failed: every retry used (2 retries)');
    expect(retryText(record({ retries: null }))).toBe('—');

    const roles = attemptRoles([
      attempt('config.targets[0]', 503),
      attempt('config.targets[0]', 503),
      attempt('config.targets[1]', 503),
      attempt('config.targets[1]', 200),
    ]);
    expect(roles.map((role) => role.label)).toEqual(['first try', 'retry 1', 'fallback', 'retry 1']);
  });
});

describe('strategyNotes', () => {
  const attempt = (target: string, status: number) => ({ target_path: target, status });
  it('names what the gateway did beyond one try, for the logs table’s status: retries and a fallback', () => {
    expect(strategyNotes(record({ attempts: [attempt('config', 200)] }))).toEqual([]);
    expect(
      strategyNotes(record({ retries: 1, attempts: [attempt('config', 503), attempt('config', 200)] })),
    ).toEqual(['1 retry']);
    expect(
      strategyNotes(
        record({
          retries: 0,
          attempts: [attempt('config.targets[0]', 503), attempt('config.targets[1]', 200)],
        }),
      ),
    ).toEqual(['fallback']);
    expect(
      strategyNotes(
        record({
          status: 503,
          retries: -1,
          attempts: [attempt('config', 503), attempt('config', 503), attempt('config', 503)],
        }),
      ),
    ).toEqual(['retries used up']);
  });
});
