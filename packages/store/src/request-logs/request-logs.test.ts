import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFixture, ENGINES, type EngineFixture, postgresUp } from '../../test/support/engines.js';
import type { Store } from '../open-store.js';
import { newLogId, type RequestLogInput } from './log-record.js';
import { type LogSink, RequestLogWriter } from './log-writer.js';

function record(overrides: Partial<RequestLogInput> & { createdAt: number }): RequestLogInput {
  return {
    id: newLogId(overrides.createdAt),
    tenant: 'acme',
    traceId: 'trace-1',
    status: 200,
    latencyMs: 12.5,
    provider: 'openai',
    model: 'gpt-4o-mini',
    ...overrides,
  };
}

describe.each(ENGINES)('request logs on %s', (engine) => {
  let fixture: EngineFixture;
  let store: Store;
  let writer: RequestLogWriter;
  beforeEach(async (context) => {
    if (engine === 'postgres' && !postgresUp) context.skip();
    fixture = await createFixture(engine);
    store = await fixture.open();
    writer = new RequestLogWriter({ sink: store.openLogSink(), flushMs: 50, onWarning: () => undefined });
  });
  afterEach(async () => {
    await writer?.close();
    await fixture?.cleanup();
  });

  it('stores every field of a record in its own column (each value distinct, read back the same)', async () => {
    const createdAt = Date.UTC(2026, 1, 2, 3, 4, 5, 6);
    const input: RequestLogInput = {
      id: newLogId(createdAt),
      createdAt,
      tenant: 'acme',
      traceId: '0190f5c2-1d2e-7a3b-8c4d-5e6f7a8b9c0d',
      spanId: 'span-1',
      parentSpanId: 'span-0',
      spanName: 'answer',
      source: 'gateway',
      gatewayKeyId: 'gk_1',
      virtualKey: 'vk-main',
      configId: 'pc-main',
      configVersion: 3,
      prompt: 'pp_support-1a2b3c@2',
      method: 'POST',
      endpoint: 'chat/completions',
      path: '/v1/vector_stores/vs_1/files',
      stream: true,
      provider: 'anthropic',
      model: 'claude-sonnet-4',
      answeredModel: 'claude-sonnet-4-20250514',
      status: 201,
      errorCode: 'PK_ERR_TEST',
      latencyMs: 123.5,
      firstByteMs: 45.25,
      overheadMs: 1.75,
      usage: {
        prompt_tokens: 11,
        completion_tokens: 12,
        total_tokens: 23,
        cached_tokens: 4,
        cache_write_tokens: 5,
        reasoning_tokens: 6,
      },
      cost: 0.00042,
      costStatus: 'priced',
      cacheStatus: 'MISS',
      retries: 2,
      targetPath: 'targets[1]',
      metadata: { _user: 'ada', team: 'x' },
      attempts: [
        { targetPath: 'targets[0]', provider: 'openai', startedAt: createdAt, status: 503, latencyMs: 9 },
      ],
      requestBody: '{"in":1}',
      responseBody: '{"out":2}',
      bodyTruncated: true,
      errorMessage: 'The server had an error',
      guardrails: [
        {
          id: 'pg-no-ssn',
          event: 'before_request',
          type: 'guardrail',
          verdict: false,
          deny: true,
          transformed: false,
          async: false,
          execution_time: 3,
          created_at: new Date(createdAt).toISOString(),
          checks: [
            {
              id: 'pk.pii',
              verdict: false,
              execution_time: 2,
              transformed: false,
              data: { explanation: 'Found PII: ssn (1).', detected: { ssn: 1 }, redacted: false },
            },
          ],
        },
      ],
    };
    writer.enqueue(input);
    await writer.flush();
    const stored = await store.logs.get(input.id, 'acme');
    expect(stored).toMatchObject({
      id: input.id,
      created_at: new Date(createdAt).toISOString(),
      tenant: 'acme',
      trace_id: input.traceId,
      span_id: 'span-1',
      parent_span_id: 'span-0',
      span_name: 'answer',
      source: 'gateway',
      gateway_key_id: 'gk_1',
      virtual_key: 'vk-main',
      config_id: 'pc-main',
      config_version: 3,
      prompt: 'pp_support-1a2b3c@2',
      method: 'POST',
      endpoint: 'chat/completions',
      path: '/v1/vector_stores/vs_1/files',
      stream: true,
      provider: 'anthropic',
      model: 'claude-sonnet-4',
      answered_model: 'claude-sonnet-4-20250514',
      status: 201,
      error_code: 'PK_ERR_TEST',
      latency_ms: 123.5,
      first_byte_ms: 45.25,
      overhead_ms: 1.75,
      usage: input.usage,
      cost: 0.00042,
      cost_status: 'priced',
      cache_status: 'MISS',
      retries: 2,
      target_path: 'targets[1]',
      metadata: { _user: 'ada', team: 'x' },
      attempts: [
        {
          target_path: 'targets[0]',
          provider: 'openai',
          started_at: new Date(createdAt).toISOString(),
          status: 503,
          latency_ms: 9,
          error_code: null,
          not_sent: false,
        },
      ],
      request_body: '{"in":1}',
      response_body: '{"out":2}',
      body_truncated: true,
      error_message: 'The server had an error',
      guardrails: input.guardrails,
    });
    // A record without them has nulls, in lists too.
    const plain = record({ createdAt: createdAt - 1 });
    writer.enqueue(plain);
    await writer.flush();
    expect(await store.logs.get(plain.id, 'acme')).toMatchObject({ error_message: null, guardrails: null });
    const byUser = await store.logs.list({ tenant: 'acme', metadata: [['team', 'x']], limit: 5 });
    expect(byUser.records.map((entry) => entry.id)).toEqual([input.id]);
    // The prompt filter: a slug is every version of it, `slug@n` one; `_` in a slug is no wildcard.
    const lookalike = {
      ...input,
      id: newLogId(createdAt + 1),
      createdAt: createdAt + 1,
      prompt: 'ppxsupport-1a2b3c@1',
    };
    writer.enqueue(lookalike);
    await writer.flush();
    const byPrompt = async (prompt: string) =>
      (await store.logs.list({ tenant: 'acme', prompt, limit: 5 })).records.map((entry) => entry.id);
    expect(await byPrompt('pp_support-1a2b3c')).toEqual([input.id]);
    expect(await byPrompt('pp_support-1a2b3c@2')).toEqual([input.id]);
    expect(await byPrompt('pp_support-1a2b3c@1')).toEqual([]);
    expect(await byPrompt('ppxsupport-1a2b3c')).toEqual([lookalike.id]);
    expect(await byPrompt('pp_support')).toEqual([]);
  });

  it('writes batches and reads them back: metadata filters, trace, tenant scope, cursor, retention', async () => {
    const base = Date.UTC(2026, 0, 1);
    for (let index = 0; index < 120; index += 1) {
      writer.enqueue(
        record({
          createdAt: base + index * 1000,
          traceId: index < 3 ? 'trace-a' : `trace-${index}`,
          metadata: { _user: index % 10 === 0 ? 'ada' : 'bob', team: 'x' },
          attempts: [
            { targetPath: 'config', provider: 'openai', startedAt: base, status: 200, latencyMs: 10 },
          ],
          usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, cache_write_tokens: 2 },
          cost: 0.001,
          costStatus: 'priced',
        }),
      );
    }
    writer.enqueue(
      record({ createdAt: base, tenant: 'other', traceId: 'trace-a', metadata: { _user: 'ada' } }),
    );
    await writer.flush();
    expect(writer.stats()).toMatchObject({ depth: 0, dropped: 0, written: 121 });

    const ada = await store.logs.list({ tenant: 'acme', metadata: [['_user', 'ada']], limit: 5 });
    expect(ada.records).toHaveLength(5);
    expect(ada.records.every((entry) => entry.metadata._user === 'ada' && entry.tenant === 'acme')).toBe(
      true,
    );
    expect(ada.records[0]?.created_at).toBe(new Date(base + 110_000).toISOString());
    const next = await store.logs.list({
      tenant: 'acme',
      metadata: [['_user', 'ada']],
      limit: 5,
      cursor: ada.nextCursor ?? '',
    });
    expect(next.records.map((entry) => entry.created_at)).toEqual(
      [60, 50, 40, 30, 20].map((n) => new Date(base + n * 1000).toISOString()),
    );
    const last = await store.logs.list({
      tenant: 'acme',
      metadata: [
        ['_user', 'ada'],
        ['team', 'x'],
      ],
      limit: 50,
      from: base,
      to: base + 5000,
    });
    expect(last.records).toHaveLength(1);
    expect(last.nextCursor).toBeNull();
    // `team` first: the metadata table's index drives, the user is checked on the record.
    const teamThenUser = await store.logs.list({
      tenant: 'acme',
      metadata: [
        ['team', 'x'],
        ['_user', 'ada'],
      ],
      limit: 50,
    });
    expect(teamThenUser.records).toHaveLength(12);
    // An admin key (no tenant): every tenant's records of the user.
    const adaEverywhere = await store.logs.list({ metadata: [['_user', 'ada']], limit: 50 });
    expect(adaEverywhere.records.map((entry) => entry.tenant).sort()).toEqual([
      ...new Array(12).fill('acme'),
      'other',
    ]);
    // The user is a column of the record (its own index), not a metadata row.
    const metadataKeys = await store.db.selectFrom('request_log_metadata').select('key').distinct().execute();
    expect(metadataKeys.map((row) => row.key)).toEqual(['team']);

    const trace = await store.logs.trace('trace-a', 'acme');
    expect(trace.map((entry) => entry.created_at)).toEqual(
      [0, 1, 2].map((n) => new Date(base + n * 1000).toISOString()),
    );
    expect(trace[0]?.attempts).toEqual([
      {
        target_path: 'config',
        provider: 'openai',
        started_at: new Date(base).toISOString(),
        status: 200,
        latency_ms: 10,
        error_code: null,
        not_sent: false,
      },
    ]);
    expect(trace[0]?.usage.cache_write_tokens).toBe(2);
    expect(await store.logs.trace('trace-a', 'nobody')).toEqual([]);
    expect(await store.logs.trace('trace-a')).toHaveLength(4);
    const one = trace[0]?.id ?? '';
    expect(await store.logs.get(one, 'other')).toBeUndefined();
    expect((await store.logs.get(one, 'acme'))?.cost).toBe(0.001);

    const summary = await store.logs.summary({
      tenant: 'acme',
      from: base,
      to: base + 3_600_000,
      bucketMs: 3_600_000,
      groupBy: 'user',
    });
    expect(summary.rows.map((row) => [row.group, row.requests])).toEqual([
      ['ada', 12],
      ['bob', 108],
    ]);

    expect(await writer.deleteBefore(base + 60_000, 25)).toBe(61);
    expect((await store.logs.list({ tenant: 'acme', limit: 500 })).records).toHaveLength(60);
  });

  it('filters the failed requests (an error status, or a stream that ended with an error after its 200) and by error code', async () => {
    const base = Date.UTC(2026, 0, 2);
    const kinds = [
      { status: 200 },
      { status: 200, errorCode: 'PK_ERR_STREAM_INTERRUPTED' },
      { status: 200, errorCode: 'server_error' },
      { status: 429, errorCode: 'rate_limit_exceeded' },
      { status: 502 },
    ] as const;
    for (let index = 0; index < 20; index += 1)
      writer.enqueue(
        record({
          createdAt: base + index * 1000,
          traceId: `trace-${index}`,
          metadata: { _user: index % 2 === 0 ? 'ada' : 'bob', team: 'x' },
          ...kinds[index % kinds.length],
        }),
      );
    await writer.flush();
    const indexesOf = async (filter: Parameters<Store['logs']['list']>[0]) =>
      (await store.logs.list({ tenant: 'acme', limit: 50, ...filter })).records
        .map((entry) => Number(entry.trace_id.slice('trace-'.length)))
        .sort((a, b) => a - b);
    const where = (test: (index: number) => boolean) =>
      Array.from({ length: 20 }, (_, index) => index).filter(test);
    expect(await indexesOf({ failed: true })).toEqual(where((index) => index % 5 !== 0));
    expect(await indexesOf({ failed: false })).toEqual(where((index) => index % 5 === 0));
    expect(await indexesOf({ failed: true, status: 200 })).toEqual(
      where((index) => index % 5 === 1 || index % 5 === 2),
    );
    expect(await indexesOf({ errorCode: 'server_error' })).toEqual(where((index) => index % 5 === 2));
    expect(await indexesOf({ errorCode: 'server_error', failed: false })).toEqual([]);
    // Through the metadata index (`team` drives the query) and the user column alike.
    expect(await indexesOf({ failed: true, metadata: [['team', 'x']] })).toEqual(
      where((index) => index % 5 !== 0),
    );
    expect(await indexesOf({ failed: true, metadata: [['_user', 'ada']] })).toEqual(
      where((index) => index % 5 !== 0 && index % 2 === 0),
    );
    expect(await indexesOf({ errorCode: 'PK_ERR_STREAM_INTERRUPTED', metadata: [['team', 'x']] })).toEqual(
      where((index) => index % 5 === 1),
    );
    // The summary counts the same requests as errors.
    const [whole] = (
      await store.logs.summary({ tenant: 'acme', from: base, to: base + 60_000, bucketMs: 60_000 })
    ).rows;
    expect(whole).toMatchObject({ requests: 20, errors: 16 });
  });

  it('filters by a range of cost (inclusive, a bound in cents divided by 100 matching its cost) and of total tokens; an unpriced record matches no cost range', async () => {
    const base = Date.UTC(2026, 0, 3);
    const costs = [0.072, 0.0421, 0.5, null, 0];
    for (let index = 0; index < costs.length; index += 1)
      writer.enqueue(
        record({
          createdAt: base + index * 1000,
          traceId: `cost-${index}`,
          metadata: { team: 'x' },
          cost: costs[index] ?? null,
          costStatus: costs[index] === null ? 'unknown_price' : 'priced',
          usage: { prompt_tokens: index * 100, completion_tokens: 0, total_tokens: index * 100 },
        }),
      );
    await writer.flush();
    const indexesOf = async (filter: Parameters<Store['logs']['list']>[0]) =>
      (await store.logs.list({ tenant: 'acme', limit: 50, ...filter })).records
        .map((entry) => Number(entry.trace_id.slice('cost-'.length)))
        .sort((a, b) => a - b);
    // 7.2 cents / 100 is 0.07200000000000001, above the 0.072 stored: still a cost of at least 7.2 cents.
    expect(await indexesOf({ costMin: 7.2 / 100 })).toEqual([0, 2]);
    expect(await indexesOf({ costMin: 7.2 / 100, costMax: 7.2 / 100 })).toEqual([0]);
    expect(await indexesOf({ costMin: 4.21 / 100, costMax: 4.21 / 100 })).toEqual([1]);
    expect(await indexesOf({ costMax: 0.01 })).toEqual([4]);
    expect(await indexesOf({ costMin: 0.01, metadata: [['team', 'x']] })).toEqual([0, 1, 2]);
    expect(await indexesOf({ tokensMin: 200, tokensMax: 300 })).toEqual([2, 3]);
  });

  it("an admin key's metadata filter pages through every tenant's records newest first, through the tenants' own indexes", async () => {
    // No records: no tenant, an empty page.
    expect(await store.logs.list({ metadata: [['_user', 'ada']] })).toEqual({
      records: [],
      nextCursor: null,
    });
    const base = Date.UTC(2026, 2, 1);
    const tenants = ['acme', 'beta', 'gamma'];
    const all: RequestLogInput[] = [];
    for (let index = 0; index < 90; index += 1) {
      // Three records (one per tenant) at each time: the id orders them, across tenants too.
      all.push(
        record({
          createdAt: base + Math.floor(index / 3) * 1000,
          tenant: tenants[index % 3] as string,
          traceId: `trace-${index}`,
          metadata: { _user: index % 2 === 0 ? 'ada' : 'bob', team: index % 3 === 0 ? 'x' : 'y' },
        }),
      );
    }
    // One tenant's records first: its page is the answer.
    const acme = all.filter((input) => input.tenant === 'acme');
    for (const input of acme) writer.enqueue(input);
    await writer.flush();
    const acmeAda = await store.logs.list({ metadata: [['_user', 'ada']], limit: 100 });
    expect(acmeAda.records.map((entry) => entry.id)).toEqual(
      acme
        .filter((input) => input.metadata?._user === 'ada')
        .map((input) => input.id)
        .reverse(),
    );
    const written = [...acme, ...all.filter((input) => input.tenant !== 'acme')];
    for (const input of written.slice(acme.length)) writer.enqueue(input);
    await writer.flush();
    const newestFirst = (a: RequestLogInput, b: RequestLogInput) =>
      b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
    const expected = (keep: (input: RequestLogInput) => boolean) =>
      written
        .filter(keep)
        .sort(newestFirst)
        .map((input) => input.id);
    const pagedIds = async (filter: Parameters<Store['logs']['list']>[0]) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await store.logs.list({ ...filter, limit: 4, ...(cursor ? { cursor } : {}) });
        ids.push(...page.records.map((entry) => entry.id));
        if (page.nextCursor === null) return ids;
        expect(page.records).toHaveLength(4);
        cursor = page.nextCursor;
      }
    };

    const ada = await pagedIds({ metadata: [['_user', 'ada']] });
    expect(ada).toEqual(expected((input) => input.metadata?._user === 'ada'));
    expect(new Set(ada.map((id) => written.find((input) => input.id === id)?.tenant))).toEqual(
      new Set(tenants),
    );
    expect(await pagedIds({ metadata: [['team', 'x']] })).toEqual(
      expected((input) => input.metadata?.team === 'x'),
    );
    expect(
      await pagedIds({
        metadata: [
          ['team', 'y'],
          ['_user', 'bob'],
        ],
        from: base + 5000,
        to: base + 20_000,
      }),
    ).toEqual(
      expected(
        (input) =>
          input.metadata?.team === 'y' &&
          input.metadata?._user === 'bob' &&
          input.createdAt >= base + 5000 &&
          input.createdAt < base + 20_000,
      ),
    );
    // A gateway key still sees its own tenant's only.
    expect(await pagedIds({ tenant: 'beta', metadata: [['_user', 'ada']] })).toEqual(
      expected((input) => input.metadata?._user === 'ada' && input.tenant === 'beta'),
    );
  });

  it("an admin key's metadata filter over more tenants than one statement reads (SQLite's 500 terms of a compound select)", async () => {
    const base = Date.UTC(2026, 3, 1);
    const written: RequestLogInput[] = [];
    for (let index = 0; index < 1200; index += 1) {
      const input = record({
        // 600 tenants, in an order unlike their names'; a time shared by every 40 records.
        createdAt: base + Math.floor(index / 40) * 1000,
        tenant: `tenant-${(index * 7) % 600}`,
        metadata: { team: index % 3 === 0 ? 'x' : 'y' },
      });
      written.push(input);
      writer.enqueue(input);
    }
    await writer.flush();
    const expected = written
      .filter((input) => input.metadata?.team === 'x')
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map((input) => input.id);
    const first = await store.logs.list({ metadata: [['team', 'x']], limit: 250 });
    const second = await store.logs.list({
      metadata: [['team', 'x']],
      limit: 250,
      cursor: first.nextCursor ?? undefined,
    });
    expect([...first.records, ...second.records].map((entry) => entry.id)).toEqual(expected.slice(0, 400));
    expect(second.nextCursor).toBeNull();
    // At most 8 pairs (each a subquery of every tenant's page): the same pair 8 times, then 9.
    const eight = await store.logs.list({
      metadata: new Array<[string, string]>(8).fill(['team', 'x']),
      limit: 250,
    });
    expect(eight.records.map((entry) => entry.id)).toEqual(expected.slice(0, 250));
    await expect(
      store.logs.list({ metadata: new Array<[string, string]>(9).fill(['team', 'x']) }),
    ).rejects.toMatchObject({
      code: 'invalid',
      status: 400,
      message: 'a log filter takes at most 8 metadata pairs',
    });
    // 1,200 records written and four statements over 600 tenants: ~3 s alone, over 10 s on a loaded
    // CI machine running two packages' tests at once.
  }, 30_000);

  it('a failing store: records kept while there is room, then dropped and counted; writes resume', async () => {
    let failing = true;
    const real = store.openLogSink();
    const flaky: LogSink<unknown> = {
      encode: (entry) => (real.encode ? real.encode(entry) : entry),
      write: (records) => (failing ? Promise.reject(new Error('store down')) : real.write(records)),
      deleteBefore: (before, limit) => real.deleteBefore(before, limit),
      close: () => real.close(),
    };
    const warnings: string[] = [];
    const small = new RequestLogWriter({
      sink: flaky,
      capacity: 10,
      // Only the test's own flushes (a timer flush in flight while the store still fails would race).
      flushMs: 60_000,
      onWarning: (message) => warnings.push(message),
    });
    for (let index = 0; index < 15; index += 1) small.enqueue(record({ createdAt: Date.now() + index }));
    await small.flush();
    expect(small.stats()).toMatchObject({ depth: 10, dropped: 5, written: 0 });
    expect(warnings.length).toBeGreaterThan(0);
    failing = false;
    await small.flush();
    expect(small.stats()).toMatchObject({ depth: 0, dropped: 5, written: 10 });
    await small.close();
    expect((await store.logs.list({ tenant: 'acme' })).records).toHaveLength(10);
  });

  it('a write that never answers is taken as refused after writeTimeoutMs; a retried batch is not doubled', async () => {
    const real = store.openLogSink();
    let hang = true;
    const hanging: LogSink<unknown> = {
      encode: (entry) => (real.encode ? real.encode(entry) : entry),
      write: (records) => (hang ? new Promise(() => undefined) : real.write(records)),
      deleteBefore: (before, limit) => real.deleteBefore(before, limit),
      close: () => real.close(),
    };
    const warnings: string[] = [];
    const slow = new RequestLogWriter({
      sink: hanging,
      // Only the test's own flushes (the timer would start one while the store still hangs).
      flushMs: 60_000,
      writeTimeoutMs: 50,
      onWarning: (message) => warnings.push(message),
    });
    const first = record({ createdAt: Date.now() });
    slow.enqueue(first);
    await slow.flush();
    expect(slow.stats()).toMatchObject({ depth: 1, failedBatches: 1 });
    expect(warnings[0]).toMatch(/no answer within 50 ms/);
    // The same record written twice (a commit whose reply was lost, then the retry): one row.
    await real.write([real.encode ? real.encode(first) : first]);
    hang = false;
    await slow.flush();
    expect(slow.stats()).toMatchObject({ depth: 0, written: 1 });
    await slow.close();
    expect((await store.logs.list({ tenant: 'acme' })).records).toHaveLength(1);
  });
});
