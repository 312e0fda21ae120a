import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFixture, type EngineFixture } from '../../test/support/engines.js';
import { SQLITE_FILE, type Store } from '../open-store.js';
import { LOG_COLUMNS, newLogId, type RequestLogInput, rowsOf } from './log-record.js';
import { RequestLogWriter } from './log-writer.js';
import { SqliteLogSink } from './sqlite-log-sink.js';

describe('SqliteLogSink: the writer thread', () => {
  let fixture: EngineFixture;
  let store: Store;
  beforeEach(async () => {
    fixture = await createFixture('sqlite');
    store = await fixture.open();
  });
  afterEach(async () => {
    await fixture.cleanup();
  });

  const recordAt = (createdAt: number) => ({
    id: newLogId(createdAt),
    tenant: 'acme',
    traceId: `trace-${createdAt}`,
    status: 200,
    latencyMs: 1,
    createdAt,
  });

  it('starts no thread until the first record, stops it when idle, starts it again for the next', async () => {
    const sink = new SqliteLogSink(join(fixture.dataDir, SQLITE_FILE), { idleStopMs: 100 });
    expect(sink.running).toBe(false);
    const now = Date.now();
    await sink.write([sink.encode(recordAt(now))]);
    expect(sink.running).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(sink.running).toBe(false);
    // A batch after the stop: a new thread, and both records are in the file.
    await sink.write([sink.encode(recordAt(now + 1))]);
    expect(sink.running).toBe(true);
    const page = await store.logs.list({ tenant: 'acme' });
    expect(page.records.map((entry) => entry.trace_id).sort()).toEqual([`trace-${now}`, `trace-${now + 1}`]);
    await sink.close();
    expect(sink.running).toBe(false);
  });

  it("opens the file in WAL mode with NORMAL syncs and a 4 MiB page cache, not better-sqlite3's 16 MiB", async () => {
    const sink = new SqliteLogSink(join(fixture.dataDir, SQLITE_FILE));
    try {
      expect(await sink.pragmas()).toEqual({ journalMode: 'wal', synchronous: 1, cacheSize: -4096 });
      // What the driver would have used: the writer sets its own.
      const plain = new Database(':memory:');
      expect(plain.pragma('cache_size', { simple: true })).toBe(-16000);
      plain.close();
    } finally {
      await sink.close();
    }
  });

  it('writes every row of a batch whose size is no multiple of the rows per insert', async () => {
    // 437 logs = 200 + 200 + 32 + 4 + 1 per insert; 1,311 metadata rows = 1,000 + 256 + 32 + 16 + 4 + 2 + 1.
    const sink = new SqliteLogSink(join(fixture.dataDir, SQLITE_FILE));
    const now = Date.now();
    const records = Array.from({ length: 437 }, (_, index) => ({
      ...recordAt(now + index),
      metadata: { team: `t${index}`, user: 'ada', run: String(index) },
    }));
    await sink.write(records.map((record) => sink.encode(record)));
    await sink.close();
    const database = new Database(join(fixture.dataDir, SQLITE_FILE), { readonly: true });
    try {
      const count = (table: string): unknown =>
        database.prepare(`select count(*) from ${table}`).pluck().get();
      expect(count('request_logs')).toBe(437);
      expect(count('request_log_metadata')).toBe(1311);
    } finally {
      database.close();
    }
  });

  it('hands records to the thread as they come; a write commits the oldest it was given, in order', async () => {
    const sink = new SqliteLogSink(join(fixture.dataDir, SQLITE_FILE), { stageEveryMs: 5, stageBatch: 64 });
    const now = Date.now();
    // 150 records: two full hand-overs of 64 and a timed one of 22.
    const items = Array.from({ length: 150 }, (_, index) => sink.encode(recordAt(now + index)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sink.running).toBe(true);
    const traces = async () => (await store.logs.list({ tenant: 'acme', limit: 200 })).records.length;
    expect(await traces()).toBe(0);
    await sink.write(items.slice(0, 100));
    const first = await store.logs.list({ tenant: 'acme', limit: 200 });
    expect(first.records.map((entry) => entry.trace_id).sort()).toEqual(
      Array.from({ length: 100 }, (_, index) => `trace-${now + index}`).sort(),
    );
    await sink.write(items.slice(100));
    expect(await traces()).toBe(150);
    await sink.close();
  });

  it('a write that ends inside a hand-over commits its first records with their metadata, the next the rest', async () => {
    const sink = new SqliteLogSink(join(fixture.dataDir, SQLITE_FILE), { stageEveryMs: 5, stageBatch: 64 });
    const now = Date.now();
    // Hand-overs of 64 and 36; metadata on some records only, one or two keys (and `_user`, kept
    // on the row): the rows per record differ, so a split at the wrong row would show.
    const metadataOf = (index: number): Record<string, string> | undefined =>
      index % 3 === 0
        ? { team: `t${index}`, run: `r${index}`, _user: `u${index}` }
        : index % 2 === 0
          ? { team: `t${index}` }
          : undefined;
    const records = Array.from({ length: 100 }, (_, index) => ({
      ...recordAt(now + index),
      metadata: metadataOf(index),
    }));
    const items = records.map((record) => sink.encode(record));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const database = new Database(join(fixture.dataDir, SQLITE_FILE), { readonly: true });
    const stored = () => ({
      logs: database.prepare('select id from request_logs').pluck().all() as string[],
      metadata: database
        .prepare('select log_id, key, value from request_log_metadata order by log_id, key')
        .all() as Array<{ log_id: string; key: string; value: string }>,
    });
    const expected = (upTo: number) =>
      records
        .slice(0, upTo)
        .flatMap((record) =>
          Object.entries(record.metadata ?? {})
            .filter(([key]) => key !== '_user')
            .map(([key, value]) => ({ log_id: record.id, key, value })),
        )
        .sort((a, b) => (a.log_id === b.log_id ? a.key.localeCompare(b.key) : a.log_id < b.log_id ? -1 : 1));
    try {
      await sink.write(items.slice(0, 70));
      expect(stored().logs.sort()).toEqual(
        records
          .slice(0, 70)
          .map((record) => record.id)
          .sort(),
      );
      expect(stored().metadata).toEqual(expected(70));
      await sink.write(items.slice(70));
      expect(stored().logs).toHaveLength(100);
      expect(stored().metadata).toEqual(expected(100));
      const users = database
        .prepare('select count(*) from request_logs where user_id is not null')
        .pluck()
        .get();
      expect(users).toBe(34);
    } finally {
      database.close();
      await sink.close();
    }
  });

  it('stores every column of a record as its row values say, in hand-overs ending anywhere', async () => {
    // The thread is sent a row's numbers, word indexes and text lengths, and its texts as one
    // string: every kind of column, null and not, texts with quotes, emoji, a lone surrogate
    // half and the empty string, across hand-overs of 7 and a write that ends inside one.
    const sink = new SqliteLogSink(join(fixture.dataDir, SQLITE_FILE), { stageEveryMs: 5, stageBatch: 7 });
    const now = Date.now();
    const full = (index: number): RequestLogInput => ({
      id: newLogId(now + index),
      createdAt: now + index + 0.25,
      tenant: index % 2 === 0 ? 'acme' : 'globex',
      traceId: `trace-${index}-"quoted" 🚀`,
      spanId: `span-${index}`,
      parentSpanId: index % 3 === 0 ? undefined : `parent-${index}`,
      spanName: index % 4 === 0 ? undefined : 'retrieve',
      source: index % 5 === 0 ? 'custom' : 'gateway',
      gatewayKeyId: 'key-1',
      virtualKey: index % 2 === 0 ? 'vk-open' : undefined,
      configId: 'pc-prod-1a2b3c',
      configVersion: index,
      method: 'POST',
      endpoint: 'chat.completions',
      stream: index % 2 === 1,
      provider: index % 3 === 0 ? 'anthropic' : 'openai',
      model: 'gpt-4o-mini',
      answeredModel: 'gpt-4o-mini-2024-07-18',
      status: index % 6 === 0 ? 502 : 200,
      errorCode: index % 6 === 0 ? 'upstream_error' : undefined,
      latencyMs: 41.81 + index,
      firstByteMs: index % 4 === 1 ? Number.NaN : 12.5,
      overheadMs: 0.53,
      usage: {
        prompt_tokens: 12 + index,
        completion_tokens: 9,
        total_tokens: 21 + index,
        cached_tokens: index % 2 === 0 ? 0 : undefined,
        cache_write_tokens: undefined,
        reasoning_tokens: 3,
      },
      cost: index % 3 === 0 ? null : 0.0000072 * (index + 1),
      costStatus: index % 3 === 0 ? 'unknown_price' : 'priced',
      cacheStatus: 'MISS',
      retries: index % 3,
      targetPath: `targets[${index % 2}]`,
      metadata: index % 2 === 0 ? { _user: `user-${index}`, team: 'ünïcode \ud83d' } : undefined,
      attempts: [
        { targetPath: 'targets[0]', provider: 'openai', startedAt: now + index, status: 200, latencyMs: 40 },
      ],
      requestBody: index % 2 === 0 ? '{"messages":[{"role":"user","content":"héllo \\"x\\""}]}' : undefined,
      responseBody: index % 4 === 0 ? '' : undefined,
      bodyTruncated: index % 4 === 0,
    });
    const records = Array.from({ length: 23 }, (_, index) => full(index));
    const items = records.slice(0, 12).map((record) => sink.encode(record));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sink.write(items.slice(0, 10));
    // The rest in the slot buffers the thread sent back, which still hold the first rows' slots.
    items.push(...records.slice(12).map((record) => sink.encode(record)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sink.write(items.slice(10));
    await sink.close();
    const database = new Database(join(fixture.dataDir, SQLITE_FILE), { readonly: true });
    try {
      const select = database.prepare(`select ${LOG_COLUMNS.join(',')} from request_logs where id = ?`);
      for (const record of records) {
        const expected = Object.fromEntries(
          Object.entries(rowsOf(record).log).map(([column, value]) => [
            column,
            typeof value === 'number' && Number.isNaN(value) ? null : value,
          ]),
        );
        expect(select.get(record.id)).toEqual(expected);
      }
    } finally {
      database.close();
    }
  });

  it('stores a value of another type than its column has as it is', async () => {
    // None that the types allow (a caller past them): sent beside the slots, not lost or mangled.
    const sink = new SqliteLogSink(join(fixture.dataDir, SQLITE_FILE));
    const now = Date.now();
    const odd = {
      ...recordAt(now),
      traceId: 4242 as unknown as string,
      retries: '2' as unknown as number,
      stream: undefined,
    };
    await sink.write([sink.encode(recordAt(now + 1)), sink.encode(odd)]);
    await sink.close();
    const database = new Database(join(fixture.dataDir, SQLITE_FILE), { readonly: true });
    try {
      const row = database.prepare('select trace_id, retries from request_logs where id = ?').get(odd.id);
      // What SQLite's column affinities make of the values bound as they are: better-sqlite3 binds a
      // number as a REAL (4242.0 in a text column), a numeric text becomes an integer.
      expect(row).toEqual({ trace_id: '4242.0', retries: 2 });
    } finally {
      database.close();
    }
  });

  it('counts and tells the records a thread took with it when it ended, and writes on with a new one', async () => {
    const warnings: string[] = [];
    const sink = new SqliteLogSink(join(fixture.dataDir, SQLITE_FILE), {
      stageEveryMs: 5,
      onWarning: (message) => warnings.push(message),
    });
    const now = Date.now();
    const lost = Array.from({ length: 3 }, (_, index) => sink.encode(recordAt(now + index)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sink.endThreadForTests();
    expect(sink.running).toBe(false);
    const kept = [sink.encode(recordAt(now + 10)), sink.encode(recordAt(now + 11))];
    // The queue's order: the lost records' places first, then the new ones; one batch of all five.
    await sink.write([...lost, ...kept]);
    expect(warnings).toEqual([
      '3 request log record(s) were lost: the log writer thread stopped while holding them',
    ]);
    const page = await store.logs.list({ tenant: 'acme' });
    expect(page.records.map((entry) => entry.trace_id).sort()).toEqual([
      `trace-${now + 10}`,
      `trace-${now + 11}`,
    ]);
    await sink.close();
  });

  it('a batch retried while its first write still waits for the file is written once, and nothing told lost', async () => {
    // The writer takes a write that has not answered in writeTimeoutMs as refused and sends the
    // batch again, while the thread still waits for a lock another connection holds; the first
    // write then commits. The retry must not commit the records after the batch in its place
    // (their own write would then find them gone and tell them lost).
    const warnings: string[] = [];
    const sink = new SqliteLogSink(join(fixture.dataDir, SQLITE_FILE), {
      stageEveryMs: 5,
      onWarning: (message) => warnings.push(message),
    });
    const writer = new RequestLogWriter({
      sink,
      flushMs: 50,
      writeTimeoutMs: 150,
      warnEveryMs: 0,
      onWarning: (message) => warnings.push(message),
    });
    const locker = new Database(join(fixture.dataDir, SQLITE_FILE));
    const now = Date.now();
    try {
      locker.exec('begin immediate');
      for (let index = 0; index < 5; index += 1) writer.enqueue(recordAt(now + index));
      // Refused after writeTimeoutMs: ~0.2 s, longer on a loaded machine (the thread starts first).
      await vi.waitFor(
        () => expect(warnings.some((message) => message.includes('refused a batch of 5'))).toBe(true),
        { timeout: 10_000, interval: 20 },
      );
      for (let index = 5; index < 10; index += 1) writer.enqueue(recordAt(now + index));
      await new Promise((resolve) => setTimeout(resolve, 100));
      locker.exec('commit');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await writer.flush();
      const count = locker.prepare('select count(*) from request_logs').pluck().get();
      expect(count).toBe(10);
      expect(writer.stats()).toMatchObject({ depth: 0, written: 10, dropped: 0 });
      expect(warnings.filter((message) => message.includes('lost'))).toEqual([]);
    } finally {
      locker.close();
      await writer.close();
    }
  });

  it('skips a row that breaks a constraint and writes the rest of its batch', async () => {
    // A NaN latency binds as null into a not-null column: before, the whole batch failed at every retry.
    const sink = new SqliteLogSink(join(fixture.dataDir, SQLITE_FILE));
    const now = Date.now();
    const records = [recordAt(now), { ...recordAt(now + 1), latencyMs: Number.NaN }, recordAt(now + 2)];
    await sink.write(records.map((record) => sink.encode(record)));
    await sink.close();
    const page = await store.logs.list({ tenant: 'acme' });
    expect(page.records.map((entry) => entry.trace_id).sort()).toEqual([`trace-${now}`, `trace-${now + 2}`]);
  });

  it('closes without starting a thread when nothing was written', async () => {
    const sink = new SqliteLogSink(join(fixture.dataDir, SQLITE_FILE));
    await sink.close();
    expect(sink.running).toBe(false);
  });
});
