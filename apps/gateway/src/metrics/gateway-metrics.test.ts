import { describe, expect, it } from 'vitest';
import type { RequestEnd } from '../plugins/request-log.js';
import { createGatewayMetrics } from './gateway-metrics.js';

const end = (fields: RequestEnd['fields'], status = 200, latencyMs = 100): RequestEnd =>
  ({ request: {} as RequestEnd['request'], status, latencyMs, fields }) as RequestEnd;

/** `name{labels} value` lines of a scrape, as a map. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    map.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return map;
}

describe('gateway metrics', () => {
  it('counts a request in every metric it touches, with bounded labels', async () => {
    const metrics = createGatewayMetrics({
      processMetrics: false,
      isConfiguredVirtualKey: (slug) => slug === 'vk-a',
    });
    metrics.record(
      end({
        provider: 'openai',
        model: 'gpt-4o-2024-08-06',
        cacheStatus: 'MISS',
        virtualKey: 'vk-a',
        usage: { prompt_tokens: 12, completion_tokens: 9, cached_tokens: 4 },
        cost: 0.5,
        costStatus: 'priced',
        retries: 1,
        overheadMs: 0.4,
        firstByteMs: 80,
        stream: true,
        attemptLog: [
          { targetPath: 'config.targets[0]', provider: 'anthropic', startedAt: 0, status: 503, latencyMs: 1 },
          { targetPath: 'config.targets[0]', provider: 'anthropic', startedAt: 1, status: 503, latencyMs: 1 },
          { targetPath: 'config.targets[1]', provider: 'openai', startedAt: 2, status: 200, latencyMs: 1 },
        ],
        metadata: { _user: 'alice', ticket: 'T-123' },
      }),
    );
    metrics.record(
      end(
        {
          provider: 'openai',
          model: 'made-up-model',
          virtualKey: 'not-configured',
          costStatus: 'unknown_price',
        },
        429,
        3,
      ),
    );
    const text = await metrics.scrape();
    const got = samples(text);
    expect(
      got.get(
        'pk_requests_total{provider="openai",model="gpt-4o",status_class="2xx",cache_status="miss",virtual_key="vk-a"}',
      ),
    ).toBe(1);
    expect(
      got.get(
        'pk_requests_total{provider="openai",model="other",status_class="4xx",cache_status="none",virtual_key="other"}',
      ),
    ).toBe(1);
    expect(got.get('pk_tokens_total{provider="openai",model="gpt-4o",type="input"}')).toBe(12);
    expect(got.get('pk_tokens_total{provider="openai",model="gpt-4o",type="output"}')).toBe(9);
    expect(got.get('pk_tokens_total{provider="openai",model="gpt-4o",type="cached_input"}')).toBe(4);
    expect(got.get('pk_cost_usd_total{provider="openai",model="gpt-4o"}')).toBe(0.5);
    expect(got.get('pk_requests_unpriced_total{provider="openai"}')).toBe(1);
    expect(got.get('pk_retries_total{provider="openai"}')).toBe(1);
    // Labelled by the 503 that made the move, not by how the request ended.
    expect(got.get('pk_fallbacks_total{status_class="5xx"}')).toBe(1);
    expect(got.get('pk_fallbacks_total{status_class="2xx"}')).toBeUndefined();
    expect(got.get('pk_provider_attempts_total{provider="anthropic",status_class="5xx"}')).toBe(2);
    expect(got.get('pk_provider_attempts_total{provider="openai",status_class="2xx"}')).toBe(1);
    // 0.4 ms of overhead falls in the 0.5 ms bucket, not the 0.25 ms one.
    expect(got.get('pk_gateway_overhead_seconds_bucket{le="0.00025",provider="openai"}')).toBe(0);
    expect(got.get('pk_gateway_overhead_seconds_bucket{le="0.0005",provider="openai"}')).toBe(1);
    expect(got.get('pk_first_byte_seconds_count{provider="openai",stream="true"}')).toBe(1);
    expect(got.get('pk_request_duration_seconds_sum{provider="openai",status_class="2xx"}')).toBeCloseTo(0.1);
    expect(text).not.toContain('alice');
    expect(text).not.toContain('T-123');
    expect(text).not.toContain('made-up-model');
  });

  it('a request no provider answered keeps provider none but labels a priced model as itself', async () => {
    const metrics = createGatewayMetrics({ processMetrics: false });
    metrics.record(
      end({ plannedProvider: 'openai', model: 'gpt-4o-mini', errorCode: 'PK_ERR_LIMITS_UNAVAILABLE' }, 503),
    );
    metrics.record(end({ plannedProvider: 'openai', model: 'made-up-model' }, 503));
    metrics.record(end({ model: 'gpt-4o-mini' }, 400));
    const got = samples(await metrics.scrape());
    expect(
      got.get(
        'pk_requests_total{provider="none",model="gpt-4o-mini",status_class="5xx",cache_status="none",virtual_key="none"}',
      ),
    ).toBe(1);
    expect(
      got.get(
        'pk_requests_total{provider="none",model="other",status_class="5xx",cache_status="none",virtual_key="none"}',
      ),
    ).toBe(1);
    // Refused before a plan named a provider: nothing to price the name by.
    expect(
      got.get(
        'pk_requests_total{provider="none",model="other",status_class="4xx",cache_status="none",virtual_key="none"}',
      ),
    ).toBe(1);
  });

  it('labels tokens and cost by the model that answered when the table prices it, else by the one asked for', async () => {
    const metrics = createGatewayMetrics({ processMetrics: false });
    const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
    // A deployment name answered by a priced model; a priced name answered by a dated id the table
    // does not know; an unpriced name answered by an unpriced model.
    metrics.record(
      end({ provider: 'openai', model: 'team-default', answeredModel: 'gpt-4o-2024-08-06', usage, cost: 1 }),
    );
    metrics.record(
      end({
        provider: 'openai',
        model: 'gpt-4o-mini',
        answeredModel: 'gpt-4o-mini-2031-01-01',
        usage,
        cost: 2,
      }),
    );
    metrics.record(end({ provider: 'openai', model: 'team-other', answeredModel: 'house-model', usage }));
    const got = samples(await metrics.scrape());
    expect(got.get('pk_cost_usd_total{provider="openai",model="gpt-4o"}')).toBe(1);
    expect(got.get('pk_cost_usd_total{provider="openai",model="gpt-4o-mini"}')).toBe(2);
    expect(got.has('pk_cost_usd_total{provider="openai",model="other"}')).toBe(false);
    expect(got.get('pk_tokens_total{provider="openai",model="gpt-4o",type="input"}')).toBe(10);
    expect(got.get('pk_tokens_total{provider="openai",model="other",type="input"}')).toBe(10);
  });

  it('an attempt the gateway refused itself (notSent) is no provider call, but still a fallback', async () => {
    const metrics = createGatewayMetrics({ processMetrics: false });
    metrics.record(
      end({
        provider: 'openai',
        model: 'gpt-4o-mini',
        attemptLog: [
          {
            targetPath: 'config.targets[0]',
            provider: 'openai',
            startedAt: 0,
            status: 429,
            latencyMs: 1,
            errorCode: 'PK_ERR_RATE_LIMITED',
            notSent: true,
          },
          { targetPath: 'config.targets[1]', provider: 'openai', startedAt: 1, status: 200, latencyMs: 9 },
        ],
      }),
    );
    const got = samples(await metrics.scrape());
    expect(got.get('pk_provider_attempts_total{provider="openai",status_class="2xx"}')).toBe(1);
    expect(got.has('pk_provider_attempts_total{provider="openai",status_class="4xx"}')).toBe(false);
    expect(got.get('pk_fallbacks_total{status_class="4xx"}')).toBe(1);
  });

  it('streams answered 200 that ended with an error event, by reason; a refused request is not one', async () => {
    const metrics = createGatewayMetrics({ processMetrics: false });
    for (const errorCode of ['PK_ERR_STREAM_INTERRUPTED', 'server_error', 'overloaded_error']) {
      metrics.record(end({ provider: 'openai', model: 'gpt-4o', stream: true, errorCode }));
    }
    metrics.record(end({ provider: 'openai', stream: true, errorCode: 'PK_ERR_TIMEOUT' }, 408));
    metrics.record(end({ provider: 'openai', stream: true }));
    const got = samples(await metrics.scrape());
    expect(got.get('pk_streams_failed_total{provider="openai",reason="interrupted"}')).toBe(1);
    expect(got.get('pk_streams_failed_total{provider="openai",reason="provider_error"}')).toBe(2);
    expect([...got.keys()].filter((name) => name.startsWith('pk_streams_failed_total'))).toHaveLength(2);
  });

  it('log queues and breakers are read at scrape time', async () => {
    const metrics = createGatewayMetrics({ processMetrics: false });
    let depth = 3;
    metrics.watchLogQueue('stdout', () => ({ depth, dropped: 7 }));
    metrics.watchLogQueue('broken', () => {
      throw new Error('no stats');
    });
    metrics.watchOpenBreakers(() => 2);
    metrics.breakerTransition('open');
    let got = samples(await metrics.scrape());
    expect(got.get('pk_log_queue_depth{queue="stdout"}')).toBe(3);
    expect(got.get('pk_log_dropped_total{queue="stdout"}')).toBe(7);
    expect(got.get('pk_circuit_breakers_open')).toBe(2);
    expect(got.get('pk_circuit_breaker_transitions_total{transition="open"}')).toBe(1);
    depth = 0;
    got = samples(await metrics.scrape());
    expect(got.get('pk_log_queue_depth{queue="stdout"}')).toBe(0);
    expect(got.get('pk_log_dropped_total{queue="stdout"}')).toBe(7);
  });

  it('counts the HTTP parser’s refusals by reason, every reason from 0', async () => {
    const metrics = createGatewayMetrics({ processMetrics: false });
    metrics.parserRefusal('headers_too_large');
    metrics.parserRefusal('headers_too_large');
    metrics.parserRefusal('bad_request_line');
    const got = samples(await metrics.scrape());
    expect([...got].filter(([name]) => name.startsWith('pk_http_parser_refusals_total')).sort()).toEqual([
      ['pk_http_parser_refusals_total{reason="bad_body_framing"}', 0],
      ['pk_http_parser_refusals_total{reason="bad_headers"}', 0],
      ['pk_http_parser_refusals_total{reason="bad_request_line"}', 1],
      ['pk_http_parser_refusals_total{reason="headers_too_large"}', 2],
      ['pk_http_parser_refusals_total{reason="incomplete"}', 0],
      ['pk_http_parser_refusals_total{reason="malformed"}', 0],
      ['pk_http_parser_refusals_total{reason="request_timeout"}', 0],
    ]);
  });

  it('every metric, the process ones included, is named pk_…', async () => {
    const metrics = createGatewayMetrics();
    const text = await metrics.scrape();
    expect(text).toContain('pk_process_cpu_seconds_total');
    expect(text).toContain('pk_process_resident_memory_bytes');
    expect(text).toContain('pk_nodejs_eventloop_lag_seconds');
    for (const line of text.split('\n')) {
      if (line.startsWith('#') || line === '') continue;
      expect(line.startsWith('pk_')).toBe(true);
    }
  });
});
