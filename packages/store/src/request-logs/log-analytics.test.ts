import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFixture, ENGINES, type EngineFixture, postgresUp } from '../../test/support/engines.js';
import type { Store } from '../open-store.js';
import type { FeedbackGroup, FeedbackSummaryRow, RescuedRow } from './log-analytics.js';
import type { SummaryFilter } from './log-queries.js';
import { type LogAttempt, newLogId, type RequestLogInput } from './log-record.js';
import { RequestLogWriter } from './log-writer.js';

const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 10, 4, 8, 0, 0);

function randomOf(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** How a request went through its targets: the paths tried in order; the last one answered. */
const ROUTES: readonly (readonly string[])[] = [
  [],
  ['targets[0]'],
  ['targets[0]', 'targets[0]'],
  ['targets[0]', 'targets[0]', 'targets[0]'],
  ['targets[0]', 'targets[1]'],
  ['targets[0]', 'targets[1]', 'targets[1]'],
  ['targets[0].targets[1]', 'targets[1]'],
  ['targets[1].targets[0]'],
];

interface Generated {
  readonly input: RequestLogInput;
  /** The retries of the target that answered, as the gateway logs them. */
  readonly retries: number;
  readonly fallback: boolean;
}

/** Records over three hours and two tenants, with routes of retries and fallbacks. */
function generate(count: number): Generated[] {
  const random = randomOf(11);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  return Array.from({ length: count }, (_, index) => {
    const createdAt = BASE + Math.floor(random() * 3 * HOUR);
    const route = pick(ROUTES);
    const status = pick([200, 200, 200, 502]);
    const answered = route.at(-1);
    const retries = answered === undefined ? 0 : route.filter((path) => path === answered).length - 1;
    const attempts: LogAttempt[] = route.map((targetPath, at) => ({
      targetPath,
      provider: 'openai',
      startedAt: createdAt + at,
      status: at === route.length - 1 ? status : 503,
      latencyMs: 3,
    }));
    const team = pick(['red', 'blue', undefined]);
    // Some answers are streams that ended with an error after their 200: failed, so never rescued.
    const streamFailed = status === 200 && index % 9 === 4;
    const succeeded = status < 400 && !streamFailed;
    return {
      retries: succeeded ? retries : 0,
      fallback: succeeded && answered !== undefined && route[0] !== answered,
      input: {
        id: newLogId(createdAt),
        createdAt,
        tenant: index % 4 === 0 ? 'other' : 'acme',
        traceId: `trace-${index % 150}`,
        status,
        latencyMs: 10,
        model: pick(['gpt-4o-mini', 'claude-sonnet-4']),
        provider: 'openai',
        ...(answered === undefined ? {} : { targetPath: answered, attempts }),
        retries: status < 400 ? retries : -1,
        ...(streamFailed ? { errorCode: 'PK_ERR_STREAM_INTERRUPTED' } : {}),
        ...(team === undefined ? {} : { metadata: { team } }),
      },
    };
  });
}

async function write(store: Store, inputs: readonly RequestLogInput[]): Promise<void> {
  const writer = new RequestLogWriter({ sink: store.openLogSink(), flushMs: 50, onWarning: () => undefined });
  for (const input of inputs) writer.enqueue(input);
  await writer.close();
}

function matches(input: RequestLogInput, filter: SummaryFilter): boolean {
  const metadata = (input.metadata ?? {}) as Readonly<Record<string, string>>;
  return (
    (filter.model === undefined || input.model === filter.model) &&
    (filter.status === undefined || input.status === filter.status) &&
    (filter.traceId === undefined || input.traceId === filter.traceId) &&
    (filter.metadata ?? []).every(([key, value]) => metadata[key] === value)
  );
}

function expectedRescued(
  all: readonly Generated[],
  range: { tenant?: string; from: number; to: number; bucketMs: number; filter?: SummaryFilter },
): RescuedRow[] {
  const cells = new Map<string, number>();
  for (const { input, retries, fallback } of all) {
    if (input.createdAt < range.from || input.createdAt >= range.to) continue;
    if (range.tenant !== undefined && input.tenant !== range.tenant) continue;
    if (!matches(input, range.filter ?? {}) || (retries === 0 && !fallback)) continue;
    const key = JSON.stringify([
      Math.floor(input.createdAt / range.bucketMs) * range.bucketMs,
      retries,
      fallback,
    ]);
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  return [...cells]
    .map(([key, requests]) => {
      const [bucket, retries, fallback] = JSON.parse(key) as [number, number, boolean];
      return { bucket: new Date(bucket).toISOString(), retries, fallback, requests };
    })
    .sort(
      (a, b) =>
        Date.parse(a.bucket) - Date.parse(b.bucket) ||
        a.retries - b.retries ||
        Number(a.fallback) - Number(b.fallback),
    );
}

interface GivenFeedback {
  readonly traceId: string;
  readonly tenant: string;
  readonly value: number;
  readonly weight: number;
  readonly at: number;
}

function expectedFeedback(
  all: readonly Generated[],
  feedback: readonly GivenFeedback[],
  options: {
    tenant?: string;
    from: number;
    to: number;
    bucketMs: number;
    filter?: SummaryFilter;
    groupBy?: FeedbackGroup;
  },
): FeedbackSummaryRow[] {
  const filter = options.filter ?? {};
  const narrowed = Object.keys(filter).length > 0;
  const cells = new Map<string, number[]>();
  for (const given of feedback) {
    if (given.at < options.from || given.at >= options.to) continue;
    if (options.tenant !== undefined && given.tenant !== options.tenant) continue;
    const requests = all
      .map((generated) => generated.input)
      .filter(
        (input) => input.traceId === given.traceId && input.tenant === given.tenant && matches(input, filter),
      );
    if ((narrowed || options.groupBy === 'model') && requests.length === 0) continue;
    const groups =
      options.groupBy === 'model'
        ? [...new Set(requests.map((input) => input.model ?? null))]
        : [options.groupBy === 'value' ? String(given.value) : null];
    const bucket = Math.floor(given.at / options.bucketMs) * options.bucketMs;
    for (const group of groups) {
      const key = JSON.stringify([bucket, group]);
      cells.set(key, [...(cells.get(key) ?? []), given.value * given.weight]);
    }
  }
  return [...cells]
    .map(([key, weighted]) => {
      const [bucket, group] = JSON.parse(key) as [number, string | null];
      return {
        bucket: new Date(bucket).toISOString(),
        group,
        feedback: weighted.length,
        weighted_avg: Math.round((weighted.reduce((a, b) => a + b, 0) / weighted.length) * 10_000) / 10_000,
      };
    })
    .sort(
      (a, b) => Date.parse(a.bucket) - Date.parse(b.bucket) || String(a.group).localeCompare(String(b.group)),
    );
}

describe.each(ENGINES)('the log analytics on %s', (engine) => {
  let fixture: EngineFixture;
  let store: Store;
  let clock = BASE;
  beforeEach(async (context) => {
    if (engine === 'postgres' && !postgresUp) context.skip();
    fixture = await createFixture(engine);
    store = await fixture.open({ now: () => clock });
  });
  afterEach(async () => {
    await fixture?.cleanup();
  });

  it('counts the requests each retry count and fallback rescued, bucket by bucket, as record by record', async () => {
    const all = generate(500);
    await write(
      store,
      all.map((generated) => generated.input),
    );
    const ranges = [
      { from: BASE, to: BASE + 3 * HOUR, bucketMs: HOUR, tenant: 'acme' },
      { from: BASE + HOUR / 2, to: BASE + 2 * HOUR, bucketMs: HOUR / 4 },
      {
        from: BASE,
        to: BASE + 3 * HOUR,
        bucketMs: 3 * HOUR + 1,
        tenant: 'acme',
        filter: { metadata: [['team', 'red']] },
      },
      {
        from: BASE,
        to: BASE + 3 * HOUR,
        bucketMs: HOUR,
        tenant: 'acme',
        filter: { model: 'claude-sonnet-4' },
      },
      { from: BASE, to: BASE + 3 * HOUR, bucketMs: HOUR, tenant: 'acme', filter: { status: 502 } },
    ] as const;
    for (const range of ranges) {
      const expected = expectedRescued(all, range);
      expect(await store.logs.rescued(range), JSON.stringify(range)).toEqual(expected);
    }
    // Some of each kind, so the comparison above is not of empty lists.
    const whole = await store.logs.rescued(ranges[0]);
    expect(whole.some((row) => row.fallback && row.retries === 0)).toBe(true);
    expect(whole.some((row) => row.fallback && row.retries === 1)).toBe(true);
    expect(whole.some((row) => !row.fallback && row.retries === 2)).toBe(true);
  });

  it('reads the attempts of records written before they were arrays', async () => {
    const createdAt = BASE + 10;
    const oldForm = (paths: readonly string[]) =>
      JSON.stringify(
        paths.map((targetPath) => ({
          targetPath,
          provider: 'openai',
          startedAt: createdAt,
          status: 200,
          latencyMs: 1,
        })),
      );
    const fallback = {
      id: newLogId(createdAt),
      createdAt,
      tenant: 'acme',
      traceId: 't-old-1',
      status: 200,
      latencyMs: 5,
      targetPath: 'targets[1]',
      retries: 0,
    };
    const retried = {
      ...fallback,
      id: newLogId(createdAt + 1),
      traceId: 't-old-2',
      targetPath: 'targets[0]',
      retries: 1,
    };
    await write(store, [fallback, retried]);
    await sql`update request_logs set attempts = ${oldForm(['targets[0]', 'targets[1]'])} where id = ${fallback.id}`.execute(
      store.db,
    );
    await sql`update request_logs set attempts = ${oldForm(['targets[0]', 'targets[0]'])} where id = ${retried.id}`.execute(
      store.db,
    );
    expect(await store.logs.rescued({ from: BASE, to: BASE + HOUR, bucketMs: HOUR, tenant: 'acme' })).toEqual(
      [
        { bucket: new Date(BASE).toISOString(), retries: 0, fallback: true, requests: 1 },
        { bucket: new Date(BASE).toISOString(), retries: 1, fallback: false, requests: 1 },
      ],
    );
  });

  it('sums the feedback of a range by bucket, value and the models of its traces, narrowed by their records', async () => {
    const all = generate(300);
    await write(
      store,
      all.map((generated) => generated.input),
    );
    const random = randomOf(5);
    const given: GivenFeedback[] = [];
    for (let index = 0; index < 160; index += 1) {
      clock = BASE + Math.floor(random() * 3 * HOUR);
      const tenant = index % 3 === 0 ? 'other' : 'acme';
      // Traces 150 and above have no records: their feedback counts only while nothing narrows it.
      const traceId = `trace-${Math.floor(random() * 170)}`;
      const value = Math.floor(random() * 21) - 10;
      const weight = Math.round(random() * 4) / 4;
      await store.feedback.create([{ traceId, value, weight, tenant, gatewayKeyId: null }]);
      given.push({ traceId, tenant, value, weight, at: clock });
    }
    const cases = [
      { from: BASE, to: BASE + 3 * HOUR, bucketMs: HOUR, tenant: 'acme' },
      { from: BASE + HOUR / 2, to: BASE + 3 * HOUR, bucketMs: HOUR / 2 },
      { from: BASE, to: BASE + 3 * HOUR, bucketMs: 3 * HOUR + 1, tenant: 'acme', groupBy: 'value' },
      { from: BASE, to: BASE + 3 * HOUR, bucketMs: 3 * HOUR + 1, tenant: 'acme', groupBy: 'model' },
      { from: BASE, to: BASE + 3 * HOUR, bucketMs: HOUR, groupBy: 'model' },
      {
        from: BASE,
        to: BASE + 3 * HOUR,
        bucketMs: HOUR,
        tenant: 'acme',
        filter: { metadata: [['team', 'blue']] },
      },
      {
        from: BASE,
        to: BASE + 3 * HOUR,
        bucketMs: HOUR,
        tenant: 'acme',
        filter: { model: 'gpt-4o-mini' },
        groupBy: 'model',
      },
      {
        from: BASE,
        to: BASE + 3 * HOUR,
        bucketMs: HOUR,
        tenant: 'acme',
        filter: { status: 502 },
        groupBy: 'value',
      },
    ] as const;
    // A trace with records and the tenant's feedback on it.
    const traced = given.find(
      (entry) => entry.tenant === 'acme' && all.some(({ input }) => input.traceId === entry.traceId),
    );
    const traceCase = {
      from: BASE,
      to: BASE + 3 * HOUR,
      bucketMs: HOUR,
      tenant: 'acme',
      filter: { traceId: traced?.traceId },
    };
    for (const options of [...cases, traceCase]) {
      const expected = expectedFeedback(all, given, options);
      expect(expected.length, JSON.stringify(options)).toBeGreaterThan(0);
      expect(await store.logs.feedbackSummary(options), JSON.stringify(options)).toEqual(expected);
    }
  });
});
