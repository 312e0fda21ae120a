import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFixture, type EngineFixture } from '../../test/support/engines.js';
import { SQLITE_FILE, type Store } from '../open-store.js';
import { newLogId } from './log-record.js';
import { SqliteLogSink } from './sqlite-log-sink.js';

describe('SqliteLogSink: the writer thread runs only while there are batches', () => {
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

  it('starts no thread until the first batch, stops it when idle, starts it again for the next', async () => {
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

  it('closes without starting a thread when nothing was written', async () => {
    const sink = new SqliteLogSink(join(fixture.dataDir, SQLITE_FILE));
    await sink.close();
    expect(sink.running).toBe(false);
  });
});
