import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ENGINES, freshStoreForEachTest } from '../../test/support/engines.js';
import type { Store } from '../open-store.js';
import type { SummaryFilter, SummaryGroup, SummaryRow } from './log-queries.js';
import { newLogId, type RequestLogInput } from './log-record.js';
import { RequestLogWriter } from './log-writer.js';

const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 10, 3, 10, 0, 0);

/** A small deterministic generator (the same records on every run). */
function randomOf(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** The error code of a record: some 200s are streams that failed after their start. */
function errorCodeOf(status: number, index: number): string | undefined {
  if (status === 429) return index % 2 === 0 ? 'rate_limit_exceeded' : undefined;
  if (status !== 200) return undefined;
  return index % 14 === 3 ? 'PK_ERR_STREAM_INTERRUPTED' : index % 14 === 10 ? 'server_error' : undefined;
}

/** A failed request: an error status, or a stream that ended with an error after its 200. */
const failed = (entry: RequestLogInput): boolean => entry.status >= 400 || entry.errorCode !== undefined;

/**
 * Varied records over three hours and two tenants: statuses, error codes, nulls, cache states,
 * users, metadata.
 */
function records(count: number): RequestLogInput[] {
  const random = randomOf(7);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  return Array.from({ length: count }, (_, index) => {
    const createdAt = BASE + Math.floor(random() * 3 * HOUR);
    const status = pick([200, 200, 200, 200, 429, 502]);
    const user = pick(['ada', 'bob', undefined]);
    const team = pick(['red', 'blue', undefined]);
    const metadata: Record<string, string> = {};
    if (user !== undefined) metadata._user = user;
    if (team !== undefined) metadata.team = team;
    const prompt = Math.floor(random() * 100);
    return {
      id: newLogId(createdAt),
      createdAt,
      tenant: index % 5 === 0 ? 'other' : 'acme',
      traceId: `trace-${index}`,
      status,
      latencyMs: Math.round(random() * 200_000) / 100,
      provider: pick(['openai', 'anthropic']),
      model: pick(['gpt-4o-mini', 'claude-sonnet-4', 'gpt-4.1']),
      virtualKey: pick(['vk-a', 'vk-b', undefined]),
      ...(status === 200
        ? { usage: { prompt_tokens: prompt, completion_tokens: 7, total_tokens: prompt + 7 } }
        : {}),
      ...(status === 200 && random() < 0.8 ? { cost: Math.round(random() * 1e6) / 1e9 } : {}),
      cacheStatus: pick(['DISABLED', 'MISS', 'HIT', 'SEMANTIC HIT', undefined]),
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
      // Streams that answered 200 and then ended with an error, and error statuses with a code.
      ...(errorCodeOf(status, index) === undefined ? {} : { errorCode: errorCodeOf(status, index) }),
    } as RequestLogInput;
  });
}

/** What the summary must answer, computed here record by record (nearest-rank percentiles). */
function expectedSummary(
  all: readonly RequestLogInput[],
  options: {
    tenant?: string;
    from: number;
    to: number;
    bucketMs: number;
    groupBy?: SummaryGroup;
    filter?: SummaryFilter;
    /** The groups that keep rows of their own; any other value is summed into `other`. */
    keep?: ReadonlySet<string>;
  },
): SummaryRow[] {
  const cells = new Map<string, RequestLogInput[]>();
  const groupOf = (entry: RequestLogInput): string | null => {
    const group = options.groupBy;
    if (group === undefined) return null;
    if (group === 'status') return String(entry.status);
    if (group === 'cache_status') return entry.cacheStatus ?? null;
    if (group === 'error_code') return entry.errorCode ?? null;
    if (group === 'model') return entry.model ?? null;
    if (group === 'provider') return entry.provider ?? null;
    if (group === 'virtual_key') return entry.virtualKey ?? null;
    const metadata = entry.metadata as Readonly<Record<string, string>> | undefined;
    if (group === 'user') return metadata?._user ?? null;
    return metadata?.[group.slice('metadata.'.length)] ?? null;
  };
  const filter = options.filter ?? {};
  const matches = (entry: RequestLogInput): boolean => {
    const metadata = (entry.metadata ?? {}) as Readonly<Record<string, string>>;
    return (
      (filter.traceId === undefined || entry.traceId === filter.traceId) &&
      (filter.status === undefined || entry.status === filter.status) &&
      (filter.provider === undefined || entry.provider === filter.provider) &&
      (filter.model === undefined || entry.model === filter.model) &&
      (filter.virtualKey === undefined || entry.virtualKey === filter.virtualKey) &&
      (filter.cacheStatus === undefined || entry.cacheStatus === filter.cacheStatus) &&
      (filter.errorCode === undefined || entry.errorCode === filter.errorCode) &&
      (filter.failed === undefined || failed(entry) === filter.failed) &&
      (filter.metadata ?? []).every(([key, value]) => metadata[key] === value)
    );
  };
  for (const entry of all) {
    if (entry.createdAt < options.from || entry.createdAt >= options.to) continue;
    if (options.tenant !== undefined && entry.tenant !== options.tenant) continue;
    if (!matches(entry)) continue;
    const bucket = Math.floor(entry.createdAt / options.bucketMs) * options.bucketMs;
    const group = groupOf(entry);
    const folded = options.keep !== undefined && group !== null && !options.keep.has(group);
    const key = JSON.stringify([bucket, folded ? null : group, folded]);
    cells.set(key, [...(cells.get(key) ?? []), entry]);
  }
  const rank = (sorted: number[], fraction: number): number =>
    Math.round((sorted[Math.ceil(fraction * sorted.length) - 1] as number) * 100) / 100;
  return [...cells.entries()]
    .map(([key, entries]) => {
      const [bucket, group, other] = JSON.parse(key) as [number, string | null, boolean];
      const latencies = entries.map((entry) => entry.latencyMs).sort((a, b) => a - b);
      const cacheable = entries.filter((entry) => entry.cacheStatus && entry.cacheStatus !== 'DISABLED');
      const sum = (of: (entry: RequestLogInput) => number | undefined): number =>
        entries.reduce((total, entry) => total + (of(entry) ?? 0), 0);
      return {
        bucket: new Date(bucket).toISOString(),
        group,
        ...(other ? { other: true as const } : {}),
        requests: entries.length,
        errors: entries.filter(failed).length,
        prompt_tokens: sum((entry) => entry.usage?.prompt_tokens),
        completion_tokens: sum((entry) => entry.usage?.completion_tokens),
        total_tokens: sum((entry) => entry.usage?.total_tokens),
        cost: Math.round(sum((entry) => entry.cost ?? undefined) * 1e9) / 1e9,
        unpriced_requests: entries.filter((entry) => entry.cost == null && !failed(entry)).length,
        latency_p50_ms: rank(latencies, 0.5),
        latency_p95_ms: rank(latencies, 0.95),
        latency_avg_ms: Math.round((latencies.reduce((a, b) => a + b, 0) / latencies.length) * 100) / 100,
        latency_p90_ms: rank(latencies, 0.9),
        latency_p99_ms: rank(latencies, 0.99),
        users: new Set(
          entries
            .map((entry) => (entry.metadata as Readonly<Record<string, string>> | undefined)?._user)
            .filter((user) => user !== undefined),
        ).size,
        cache_hits: entries.filter((entry) => entry.cacheStatus === 'HIT').length,
        semantic_cache_hits: entries.filter((entry) => entry.cacheStatus === 'SEMANTIC HIT').length,
        cache_hit_rate:
          cacheable.length === 0
            ? 0
            : Math.round(
                (cacheable.filter((entry) => entry.cacheStatus?.endsWith('HIT')).length / cacheable.length) *
                  10_000,
              ) / 10_000,
      };
    })
    .sort(
      (a, b) =>
        Date.parse(a.bucket) - Date.parse(b.bucket) ||
        Number('other' in a) - Number('other' in b) ||
        String(a.group).localeCompare(String(b.group)),
    );
}

/**
 * The rows the summary answered against the expected ones: every figure exactly, but the average
 * latency within a rounding step (the database's `avg` and a JavaScript sum may round a half cent
 * apart).
 */
function expectRows(rows: readonly SummaryRow[], expected: readonly SummaryRow[], label: string): void {
  const withoutAverage = (list: readonly SummaryRow[]) => list.map(({ latency_avg_ms: _, ...row }) => row);
  expect(withoutAverage(rows), label).toEqual(withoutAverage(expected));
  rows.forEach((row, index) => {
    expect(
      Math.abs(row.latency_avg_ms - (expected[index]?.latency_avg_ms ?? Number.NaN)),
      label,
    ).toBeLessThanOrEqual(0.011);
  });
}

/**
 * Runs `read` while a 2 ms timer measures the caller's event loop: the read's result, and fails
 * when the loop stood still for a third of the read's time or more (at least 100 ms): a statement
 * run on the caller's thread holds the loop for all of its time.
 */
async function offTheLoop<T>(read: () => Promise<T>): Promise<{ result: T; took: number }> {
  let longestGap = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
  }, 2);
  const started = performance.now();
  const result = await read();
  const took = performance.now() - started;
  clearInterval(ticker);
  longestGap = Math.max(longestGap, performance.now() - last);
  expect(longestGap).toBeLessThan(Math.max(100, took / 3));
  return { result, took };
}

describe.each(ENGINES)('the analytics summary on %s', (engine) => {
  let store: Store;
  freshStoreForEachTest(engine, (opened) => {
    store = opened;
  });

  it('answers every figure of every bucket and group as counted record by record', async () => {
    const all = records(600);
    const writer = new RequestLogWriter({
      sink: store.openLogSink(),
      flushMs: 50,
      onWarning: () => undefined,
    });
    for (const entry of all) writer.enqueue(entry);
    await writer.close();
    const groups: (SummaryGroup | undefined)[] = [
      undefined,
      'model',
      'provider',
      'virtual_key',
      'user',
      'status',
      'cache_status',
      'error_code',
      'metadata._user',
      'metadata.team',
      'metadata.absent',
    ];
    for (const groupBy of groups)
      for (const tenant of ['acme', undefined]) {
        const options = {
          from: BASE + HOUR / 2,
          to: BASE + 3 * HOUR,
          bucketMs: HOUR,
          ...(tenant === undefined ? {} : { tenant }),
          ...(groupBy === undefined ? {} : { groupBy }),
        };
        const summary = await store.logs.summary(options);
        expect(summary.truncated).toBe(false);
        expectRows(summary.rows, expectedSummary(all, options), `${groupBy} ${tenant}`);
      }
    // Narrowed to the records that match every condition, as the logs' list filters them.
    const filters: SummaryFilter[] = [
      { model: 'gpt-4o-mini' },
      { metadata: [['team', 'red']] },
      { metadata: [['_user', 'ada']], status: 200 },
      {
        metadata: [
          ['_user', 'bob'],
          ['team', 'blue'],
        ],
        provider: 'anthropic',
      },
      { cacheStatus: 'HIT', provider: 'openai' },
      { virtualKey: 'vk-a' },
      { traceId: 'trace-7' },
      { model: 'nobody' },
      { failed: true },
      { failed: false, provider: 'openai' },
      { errorCode: 'PK_ERR_STREAM_INTERRUPTED' },
      { errorCode: 'rate_limit_exceeded', failed: true },
      { status: 200, failed: true },
    ];
    // A tenant's, and every tenant's (an admin key's: its metadata pairs are read through the
    // indexes of every tenant that has records).
    for (const filter of filters)
      for (const groupBy of [undefined, 'model'] as const)
        for (const tenant of ['acme', undefined]) {
          const options = {
            from: BASE,
            to: BASE + 3 * HOUR,
            bucketMs: HOUR,
            ...(tenant === undefined ? {} : { tenant }),
            filter,
            ...(groupBy === undefined ? {} : { groupBy }),
          };
          const label = `${JSON.stringify(filter)} ${tenant}`;
          expectRows((await store.logs.summary(options)).rows, expectedSummary(all, options), label);
        }
    // Without the latency percentiles: every other figure the same, the percentiles 0.
    for (const groupBy of [undefined, 'user'] as const) {
      const options = { from: BASE, to: BASE + 3 * HOUR, bucketMs: HOUR, ...(groupBy ? { groupBy } : {}) };
      const rows = (await store.logs.summary({ ...options, percentiles: false })).rows;
      expectRows(
        rows,
        expectedSummary(all, options).map((row) => ({
          ...row,
          latency_p50_ms: 0,
          latency_p90_ms: 0,
          latency_p95_ms: 0,
          latency_p99_ms: 0,
        })),
        `no percentiles, ${groupBy}`,
      );
    }
  });

  it('keeps the top groups by the chosen figure and sums the rest into one other row a bucket', async () => {
    const all = records(600).map((entry, index) => ({
      ...entry,
      // 40 users, a few of them busy: a group whose values outnumber the top.
      metadata: { ...(entry.metadata ?? {}), _user: `user-${index % 7 === 0 ? index % 3 : index % 40}` },
    }));
    const writer = new RequestLogWriter({
      sink: store.openLogSink(),
      flushMs: 50,
      onWarning: () => undefined,
    });
    for (const entry of all) writer.enqueue(entry);
    await writer.close();
    const range = { from: BASE, to: BASE + 3 * HOUR, tenant: 'acme' };
    for (const [groupBy, topBy] of [
      ['user', 'requests'],
      ['metadata._user', 'cost'],
      ['model', 'errors'],
      ['status', 'total_tokens'],
    ] as const) {
      // The expected ranking, over the whole range: one bucket, every group.
      const totals = expectedSummary(all, { ...range, bucketMs: range.to + 1, groupBy })
        .filter((row) => row.group !== null)
        .sort((a, b) => b[topBy] - a[topBy] || String(a.group).localeCompare(String(b.group)));
      const top = 2;
      const keep = new Set(totals.slice(0, top).map((row) => String(row.group)));
      const summary = await store.logs.summary({
        ...range,
        bucketMs: HOUR,
        groupBy,
        top,
        topBy,
        whole: true,
      });
      expect(summary.truncated, groupBy).toBe(true);
      expectRows(summary.rows, expectedSummary(all, { ...range, bucketMs: HOUR, groupBy, keep }), groupBy);
      // The whole range's rows come with the buckets' (from the same statement).
      expectRows(
        summary.whole,
        expectedSummary(all, { ...range, bucketMs: range.to + 1, groupBy, keep }).map((row) => ({
          ...row,
          bucket: new Date(range.from).toISOString(),
        })),
        `${groupBy} whole`,
      );
      // Every bucket has at most top + 2 rows (the top, the records without a value, the others).
      const perBucket = new Map<string, number>();
      for (const row of summary.rows) perBucket.set(row.bucket, (perBucket.get(row.bucket) ?? 0) + 1);
      expect(Math.max(...perBucket.values())).toBeLessThanOrEqual(top + 2);
    }
    // As many groups as the top or fewer: every group, nothing folded.
    const few = await store.logs.summary({ ...range, bucketMs: HOUR, groupBy: 'provider', top: 2 });
    expect(few.truncated).toBe(false);
    expectRows(few.rows, expectedSummary(all, { ...range, bucketMs: HOUR, groupBy: 'provider' }), 'provider');
  });

  it('finds metadata longer than 128 characters by the value the app sent (cut as it was stored)', async () => {
    // The 128th character is the first half of an emoji: the cut keeps 127, never half a character.
    const long = `${'u'.repeat(127)}😀${'v'.repeat(70)}`;
    const team = `${'t'.repeat(150)}`;
    const createdAt = BASE + 1000;
    const writer = new RequestLogWriter({
      sink: store.openLogSink(),
      flushMs: 50,
      onWarning: () => undefined,
    });
    writer.enqueue({
      id: newLogId(createdAt),
      createdAt,
      tenant: 'acme',
      traceId: 'trace-long',
      status: 200,
      latencyMs: 5,
      metadata: { _user: long, team },
    } as RequestLogInput);
    await writer.close();
    const [stored] = (await store.logs.list({ tenant: 'acme' })).records;
    expect(stored?.metadata._user).toBe('u'.repeat(127));
    expect(stored?.metadata.team).toBe('t'.repeat(128));
    for (const metadata of [
      [['_user', long]],
      [['team', team]],
      [
        ['team', team],
        ['_user', long],
      ],
    ] as const) {
      expect((await store.logs.list({ tenant: 'acme', metadata })).records.map((r) => r.trace_id)).toEqual([
        'trace-long',
      ]);
      const summary = await store.logs.summary({
        from: BASE,
        to: BASE + HOUR,
        bucketMs: HOUR,
        tenant: 'acme',
        filter: { metadata },
      });
      expect(summary.rows.map((row) => row.requests)).toEqual([1]);
    }
    // An admin key's filter (every tenant) too.
    expect((await store.logs.list({ metadata: [['team', team]] })).records).toHaveLength(1);
  });

  it('counts every record of a large range (no cap); its reads never hold the event loop', async () => {
    const count = engine === 'sqlite' ? 250_000 : 100_000;
    // Bulk rows straight into the table (the writer's path is tested elsewhere): one hour, 4 models.
    await sql`
      insert into request_logs (id, created_at, tenant, trace_id, source, stream, status, latency_ms, model, total_tokens)
      select 'log_bulk_' || n, ${sql.lit(BASE)} + n * 10, 'acme', 'trace-bulk', 'gateway', 0,
        case when n % 50 = 0 then 502 else 200 end, (n % 1000) / 10.0, 'model-' || (n % 4), 10
      from (${
        engine === 'sqlite'
          ? sql`with recursive numbers(n) as (select 0 union all select n + 1 from numbers where n + 1 < ${count}) select n from numbers`
          : sql`select generate_series(0, ${count - 1}) as n`
      }) as numbers`.execute(store.db);
    const summary = await offTheLoop(() =>
      store.logs.summary({ from: BASE, to: BASE + 4 * HOUR, bucketMs: 4 * HOUR, groupBy: 'model' }),
    );
    expect(summary.result.truncated).toBe(false);
    expect(summary.result.rows.map((row) => [row.group, row.requests, row.errors, row.total_tokens])).toEqual(
      [0, 1, 2, 3].map((model) => [
        `model-${model}`,
        count / 4,
        model % 2 === 0 ? count / 100 : 0,
        (count / 4) * 10,
      ]),
    );
    expect(summary.result.rows[0]?.latency_p50_ms).toBe(49.6);
    // Pages whose filter matches nothing read the tenant's whole index, a trace of many records.
    const pages = await offTheLoop(async () => [
      await store.logs.list({ tenant: 'acme', provider: 'nobody' }),
      await store.logs.list({ tenant: 'acme', model: 'nobody' }),
      await store.logs.list({ tenant: 'acme', status: 599 }),
      await store.logs.list({ tenant: 'acme', cacheStatus: 'NOPE' }),
      await store.logs.list({ tenant: 'acme', virtualKey: 'nobody' }),
      await store.logs.list({ tenant: 'acme', status: 502, limit: 3 }),
    ]);
    expect(pages.result.map((page) => page.records.length)).toEqual([0, 0, 0, 0, 0, 3]);
    const trace = await store.logs.trace('trace-bulk', 'acme');
    expect(trace).toHaveLength(1000);
    expect((await store.logs.get(trace[0]?.id ?? '', 'acme'))?.trace_id).toBe('trace-bulk');
  }, 60_000);
});
