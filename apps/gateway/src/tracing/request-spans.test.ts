import * as semconv from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import { requestSpansOf } from './request-spans.js';

const PROMPT = 'What is the capital of France?';
const ended = 1_800_000_000_000;

function fallbackEnd(headers: Record<string, string> = {}) {
  return {
    request: { method: 'POST', url: '/v1/chat/completions', traceId: 'checkout-42', headers },
    status: 200,
    latencyMs: 120,
    endedAt: ended,
    fields: {
      provider: 'openai',
      model: 'gpt-4o-mini',
      answeredModel: 'gpt-4o-mini-2024-07-18',
      stream: false,
      targetPath: 'config.targets[1]',
      retries: 0,
      attempts: 2,
      cacheStatus: 'DISABLED',
      usage: {
        prompt_tokens: 12,
        completion_tokens: 9,
        total_tokens: 21,
        cached_tokens: 4,
        reasoning_tokens: 2,
      },
      finishReasons: ['stop'],
      cost: 0.0001,
      metadata: { _user: 'alice', prompt: PROMPT },
      attemptLog: [
        {
          targetPath: 'config.targets[0]',
          provider: 'anthropic',
          startedAt: ended - 110,
          status: 503,
          latencyMs: 40,
          errorCode: 'PK_ERR_UPSTREAM',
        },
        {
          targetPath: 'config.targets[1]',
          provider: 'openai',
          startedAt: ended - 60,
          status: 200,
          latencyMs: 50,
        },
      ],
    },
  };
}

describe('spans of a request', () => {
  it('one server span and one client span per attempt, with GenAI attributes and true times', () => {
    const spans = requestSpansOf(fallbackEnd());
    expect(spans.request).toMatchObject({
      name: 'chat gpt-4o-mini',
      kind: 'server',
      startMs: ended - 120,
      endMs: ended,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.provider.name': 'openai',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 9,
        'gen_ai.usage.cache_read.input_tokens': 4,
        'gen_ai.usage.reasoning.output_tokens': 2,
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.request.stream': false,
        'http.response.status_code': 200,
        'pk.trace_id': 'checkout-42',
      },
    });
    expect(spans.request.error).toBeUndefined();
    expect(spans.attempts).toHaveLength(2);
    expect(spans.attempts[0]).toMatchObject({
      kind: 'client',
      startMs: ended - 110,
      endMs: ended - 70,
      error: 'PK_ERR_UPSTREAM',
      attributes: { 'gen_ai.provider.name': 'anthropic', 'error.type': 'PK_ERR_UPSTREAM', 'pk.attempt': 1 },
    });
    expect(spans.attempts[0]?.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(spans.attempts[1]).toMatchObject({
      attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.usage.output_tokens': 9, 'pk.attempt': 2 },
    });
    // Never a metadata value, a prompt or a user.
    expect(JSON.stringify(spans)).not.toContain(PROMPT);
    expect(JSON.stringify(spans)).not.toContain('alice');
  });

  it('traceparent is the parent; without it a UUID or hex pk trace id becomes the trace id', () => {
    const withParent = requestSpansOf(
      fallbackEnd({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }),
    );
    expect(withParent.parent).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
    });
    expect(withParent.traceId).toBeUndefined();
    const uuid = fallbackEnd();
    uuid.request.traceId = '0b6d4c1e-8a8f-4c51-9f0e-2f7c2d7a9e10';
    expect(requestSpansOf(uuid).traceId).toBe('0b6d4c1e8a8f4c519f0e2f7c2d7a9e10');
    expect(requestSpansOf(fallbackEnd()).traceId).toBeUndefined();
  });

  it('a failed request is an error span with error.type', () => {
    const failed = fallbackEnd();
    Object.assign(failed, { status: 502 });
    Object.assign(failed.fields, { errorCode: 'PK_ERR_UPSTREAM' });
    const spans = requestSpansOf(failed);
    expect(spans.request.error).toBe('PK_ERR_UPSTREAM');
    expect(spans.request.attributes['error.type']).toBe('PK_ERR_UPSTREAM');
    // No attempt gets the usage of a request that failed.
    expect(spans.attempts[1]?.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('error.type is pk’s code or the status, never a provider’s own code (which stays the status description)', () => {
    const failed = fallbackEnd();
    Object.assign(failed, { status: 500 });
    Object.assign(failed.fields, {
      errorCode: 'server_error',
      attemptLog: [
        {
          targetPath: 'config.targets[0]',
          provider: 'openai',
          startedAt: 0,
          status: 500,
          latencyMs: 5,
          errorCode: 'server_error',
        },
        {
          targetPath: 'config.targets[1]',
          provider: 'openai',
          startedAt: 5,
          status: 429,
          latencyMs: 5,
          errorCode: 'rate_limit_exceeded',
        },
        {
          targetPath: 'config.targets[2]',
          provider: 'openai',
          startedAt: 10,
          status: 408,
          latencyMs: 5,
          errorCode: 'PK_ERR_TIMEOUT',
        },
      ],
    });
    const spans = requestSpansOf(failed);
    expect(spans.request.attributes['error.type']).toBe('500');
    expect(spans.request.error).toBe('server_error');
    expect(spans.attempts.map((attempt) => attempt.attributes['error.type'])).toEqual([
      '500',
      '429',
      'PK_ERR_TIMEOUT',
    ]);
    expect(spans.attempts.map((attempt) => attempt.error)).toEqual([
      'server_error',
      'rate_limit_exceeded',
      'PK_ERR_TIMEOUT',
    ]);
  });

  it('a stream that answered 200 and then ended with an error is an error span, as is the call that broke', () => {
    const broken = fallbackEnd();
    Object.assign(broken.fields, { stream: true, errorCode: 'PK_ERR_STREAM_INTERRUPTED' });
    const spans = requestSpansOf(broken);
    expect(spans.request.error).toBe('PK_ERR_STREAM_INTERRUPTED');
    expect(spans.request.attributes).toMatchObject({
      'http.response.status_code': 200,
      'error.type': 'PK_ERR_STREAM_INTERRUPTED',
    });
    expect(spans.attempts[1]).toMatchObject({
      error: 'PK_ERR_STREAM_INTERRUPTED',
      attributes: { 'error.type': 'PK_ERR_STREAM_INTERRUPTED', 'http.response.status_code': 200 },
    });
    // The first attempt keeps its own error.
    expect(spans.attempts[0]?.error).toBe('PK_ERR_UPSTREAM');
  });

  it('an attempt the gateway refused itself is an internal span without an HTTP status', () => {
    const refused = fallbackEnd();
    const [first, second] = refused.fields.attemptLog;
    Object.assign(refused.fields, {
      attemptLog: [{ ...first, status: 412, errorCode: 'PK_ERR_BUDGET_EXCEEDED', notSent: true }, second],
    });
    const spans = requestSpansOf(refused);
    expect(spans.attempts[0]).toMatchObject({
      kind: 'internal',
      error: 'PK_ERR_BUDGET_EXCEEDED',
      attributes: { 'error.type': 'PK_ERR_BUDGET_EXCEEDED', 'pk.attempt': 1 },
    });
    expect(spans.attempts[0]?.attributes['http.response.status_code']).toBeUndefined();
    expect(spans.attempts[1]).toMatchObject({
      kind: 'client',
      attributes: { 'http.response.status_code': 200 },
    });
  });

  it('names a span by its route’s template, or by its method alone when no route matched', () => {
    const routed = requestSpansOf({
      ...fallbackEnd(),
      request: {
        method: 'GET',
        url: '/v1/virtual-keys/openai-a?x=1',
        traceId: 't',
        headers: {},
        routeOptions: { url: '/v1/virtual-keys/:slug' },
      },
    });
    expect(routed.request.name).toBe('GET /v1/virtual-keys/:slug');
    expect(routed.request.attributes).toMatchObject({
      'url.path': '/v1/virtual-keys/openai-a',
      'http.route': '/v1/virtual-keys/:slug',
    });
    const unrouted = requestSpansOf({
      ...fallbackEnd(),
      request: { method: 'POST', url: '/wp-admin/setup.php', traceId: 't', headers: {} },
    });
    expect(unrouted.request.name).toBe('POST');
    expect(unrouted.request.attributes['url.path']).toBe('/wp-admin/setup.php');
    expect(unrouted.request.attributes['http.route']).toBeUndefined();
  });

  it('uses only attribute names of the pinned semantic conventions (or pk.* / http / url ones)', () => {
    const published = new Set(
      Object.entries(semconv)
        .filter(([name, value]) => name.startsWith('ATTR_') && typeof value === 'string')
        .map(([, value]) => value as string),
    );
    const spans = requestSpansOf({
      ...fallbackEnd(),
      fields: {
        ...fallbackEnd().fields,
        stream: true,
        firstByteMs: 30,
        usage: { ...fallbackEnd().fields.usage, cache_write_tokens: 3 },
      },
    });
    const names = new Set([
      ...Object.keys(spans.request.attributes),
      ...spans.attempts.flatMap((attempt) => Object.keys(attempt.attributes)),
    ]);
    const foreign = [...names].filter((name) => !name.startsWith('pk.') && !published.has(name));
    expect(foreign).toEqual([]);
    expect(names).toContain('gen_ai.usage.cache_creation.input_tokens');
    expect(names).toContain('gen_ai.response.time_to_first_chunk');
  });
});

describe('spans of a Realtime session', () => {
  const sessionEnd = (endpoint: string | undefined, status: number) => ({
    request: { method: 'GET', url: '/v1/realtime?model=gpt-realtime', traceId: 'session-1', headers: {} },
    status,
    latencyMs: 60_000,
    endedAt: ended,
    fields: { provider: 'openai', model: 'gpt-realtime', ...(endpoint ? { endpoint } : {}) },
  });

  it('a session (endpoint realtime) is a chat operation; a GET of the path without an upgrade is not', () => {
    const session = requestSpansOf(sessionEnd('realtime', 101));
    expect(session.request).toMatchObject({
      name: 'chat gpt-realtime',
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-realtime' },
    });
    const passedThrough = requestSpansOf(sessionEnd('passthrough', 200));
    expect(passedThrough.request.attributes['gen_ai.operation.name']).toBeUndefined();
  });
});
