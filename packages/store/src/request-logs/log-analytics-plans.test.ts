import { CompiledQuery, type Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ENGINES, freshStoreForEachTest } from '../../test/support/engines.js';
import type { Database } from '../database/schema.js';
import type { Store } from '../open-store.js';
import { RequestLogRepository, type SummaryFilter, type SummaryGroup } from './log-queries.js';
import { newLogId } from './log-record.js';
import { RequestLogWriter } from './log-writer.js';

const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 10, 4, 8, 0, 0);

/**
 * The tables of the log an analytics read must reach through an index, never read whole, and the
 * aliases its statements give them (SQLite's plans name a table by its alias).
 */
const LOG_TABLES = ['request_logs', 'request_log_metadata', 'feedback', 'l', 't', 'm', 'mx', 'f'];

/**
 * The plan of every statement a read runs: its statements are run as they are (the read's answer is
 * unchanged) and explained on the same connection, on PostgreSQL with `enable_seqscan` off (the
 * planner's hint: a sequential scan remains only where no index can serve the statement; on a
 * large table a range of most of its records is rightly read whole).
 */
function explaining(
  db: Kysely<Database>,
  engine: 'sqlite' | 'postgres',
  plans: string[][],
): Kysely<Database> {
  const explain = async (compiled: CompiledQuery): Promise<string[]> => {
    if (engine === 'sqlite') {
      const rows = await db.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]),
      );
      return rows.rows.map((row) => row.detail);
    }
    return db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const rows = await trx.executeQuery<{ 'QUERY PLAN': string }>(
        CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]),
      );
      return rows.rows.map((row) => row['QUERY PLAN']);
    });
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === 'executeQuery')
        return async (compiled: CompiledQuery) => {
          plans.push([...(await explain(compiled)), compiled.sql]);
          return target.executeQuery(compiled);
        };
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * The lines of a SQLite plan that read the log's records through its time range's indexes
 * (`(created_at, id)`, `(tenant, created_at, id)`): every record of the range, each checked against
 * the filter. (SQLite plans without statistics: the plan of these few records is the plan of a
 * million. PostgreSQL's planner weighs its statistics, and rightly reads a small table's range.)
 */
function rangeReads(plan: readonly string[]): string[] {
  return plan.filter((line) =>
    /\b(SEARCH|SCAN) l USING (COVERING )?INDEX request_logs_(tenant_)?time\b/.test(line),
  );
}

/** The lines of a plan that read one of the log's tables whole (or its whole index). */
function wholeReads(engine: 'sqlite' | 'postgres', plan: readonly string[]): string[] {
  return plan.filter((line) =>
    engine === 'sqlite'
      ? // SQLite: `SCAN t` (the table) or `SCAN t USING [COVERING] INDEX i` (all of an index);
        // `SEARCH t USING …` reads a range of an index.
        LOG_TABLES.some((table) => new RegExp(`\\bSCAN ${table}\\b`).test(line))
      : LOG_TABLES.some((table) => new RegExp(`Seq Scan on ${table}\\b`).test(line)),
  );
}

describe.each(ENGINES)('the analytics’ query plans on %s', (engine) => {
  let store: Store;
  freshStoreForEachTest(engine, (opened) => {
    store = opened;
  });

  it('reads the log’s records of a range through its indexes, never the whole table', async () => {
    const writer = new RequestLogWriter({
      sink: store.openLogSink(),
      flushMs: 50,
      onWarning: () => undefined,
    });
    for (let index = 0; index < 400; index += 1) {
      const createdAt = BASE + index * 30_000;
      writer.enqueue({
        id: newLogId(createdAt),
        createdAt,
        tenant: index % 4 === 0 ? 'other' : 'acme',
        traceId: `trace-${Math.floor(index / 3)}`,
        status: index % 10 === 0 ? 503 : 200,
        latencyMs: 100 + (index % 37),
        provider: 'openai',
        model: index % 2 === 0 ? 'gpt-4o-mini' : 'gpt-4.1',
        metadata: { _user: `user-${index % 30}`, session: `session-${index % 11}` },
      });
    }
    await writer.close();
    await store.feedback.create(
      Array.from({ length: 20 }, (_, index) => ({ traceId: `trace-${index}`, value: 1, tenant: 'acme' })),
    );
    if (engine === 'postgres') await sql`analyze`.execute(store.db);

    // The repository's reads on the store's own connection (no read thread), every statement explained.
    const plans: string[][] = [];
    const logs = new RequestLogRepository(explaining(store.db, engine, plans), engine);
    const filters: SummaryFilter[] = [
      {},
      { metadata: [['_user', 'user-7']] },
      { metadata: [['session', 'session-7']] },
      { metadata: [['_user', 'user-7']], status: 200 },
      { model: 'gpt-4.1' },
    ];
    const groups: (SummaryGroup | undefined)[] = [undefined, 'model', 'user', 'status', 'metadata.session'];
    for (const tenant of ['acme', undefined])
      for (const filter of filters) {
        const range = { tenant, from: BASE, to: BASE + 4 * HOUR, bucketMs: HOUR, filter };
        const counted = plans.length;
        for (const groupBy of groups) {
          // Top 3 of 30 users and 11 sessions: the second statement (the other groups) too.
          await logs.summary({ ...range, groupBy, ...(groupBy ? { top: 3 } : {}), whole: true });
          await logs.summary({ ...range, groupBy, percentiles: false });
        }
        await logs.rescued(range);
        // Narrowed to a `_user` or a metadata value, the records are found through that filter's
        // index (the log's user index, the metadata table's), not read one by one along the range.
        if (filter.metadata !== undefined && engine === 'sqlite')
          for (const plan of plans.slice(counted)) expect(rangeReads(plan), plan.join('\n')).toEqual([]);
        await logs.feedbackSummary({ ...range, to: Date.now() + HOUR });
        await logs.feedbackSummary({ ...range, to: Date.now() + HOUR, groupBy: 'model' });
      }
    // Each of the 2 tenants × 5 filters: 10 summaries (5 with a second statement, except where the
    // group has no more values than the top), rescued requests, feedback twice.
    expect(plans.length).toBeGreaterThan(2 * 5 * 13);
    const whole = plans.flatMap((plan) =>
      wholeReads(engine, plan).map((line) => `${line}\n${plan.join('\n')}`),
    );
    expect(whole).toEqual([]);
  });
});
