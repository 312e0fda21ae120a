import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresUp } from '../../test/support/engines.js';
import { StoreError } from '../errors.js';
import { generateMasterKey } from '../index.js';
import { openStore, type Store } from '../open-store.js';
import { createTemporaryDatabase, type TemporaryDatabase } from '../testing/postgres.js';
import { newLogId, type RequestLogInput } from './log-record.js';
import { RequestLogWriter } from './log-writer.js';

// A PostgreSQL server that refuses its database's connections (`ALLOW_CONNECTIONS false` and its
// sessions ended, as an operator does during a maintenance or a failover): SQLSTATE 55000 and
// 57P01, not a network error. The log keeps and retries its records, and the store's reads and
// writes are "unavailable" (the admin API's 503), not a bad record nor a bug.
const NOW = Date.UTC(2026, 11, 5, 12);

function record(traceId: string): RequestLogInput {
  return { id: newLogId(NOW), createdAt: NOW, tenant: 'acme', traceId, status: 200, latencyMs: 5 };
}

describe.runIf(postgresUp)('a PostgreSQL database that refuses connections', () => {
  let database: TemporaryDatabase;
  let store: Store;
  beforeEach(async () => {
    database = await createTemporaryDatabase();
    store = await openStore({
      databaseUrl: database.url,
      masterKey: generateMasterKey(),
      pollIntervalMs: 100,
      onWarning: () => undefined,
    });
  });
  afterEach(async () => {
    await database.allowConnections(true);
    await store.close().catch(() => undefined);
    await database.drop();
  });

  const refuse = () => database.allowConnections(false);
  const allow = () => database.allowConnections(true);

  it('keeps the log’s records and retries them, drops none, and writes them once it takes connections again', async () => {
    const warnings: string[] = [];
    const writer = new RequestLogWriter({
      sink: store.openLogSink({ onWarning: (message) => warnings.push(message) }),
      flushMs: 60_000,
      onWarning: (message) => warnings.push(message),
    });
    writer.enqueue(record('before'));
    await writer.flush();
    await refuse();
    for (let index = 0; index < 5; index += 1) writer.enqueue(record(`during-${index}`));
    await writer.flush();
    expect(writer.stats()).toMatchObject({ depth: 5, dropped: 0, written: 1 });
    expect(warnings.some((message) => message.includes('on its own'))).toBe(false);
    expect(warnings.join('\n')).toMatch(/refused a batch of 5 .*5 records kept and retried/);

    await allow();
    await writer.flush();
    expect(writer.stats()).toMatchObject({ depth: 0, dropped: 0, written: 6 });
    const traces = (await store.logs.list({ tenant: 'acme', limit: 10 })).records.map((row) => row.trace_id);
    expect(traces.sort()).toEqual(['before', 'during-0', 'during-1', 'during-2', 'during-3', 'during-4']);
    await writer.close();
  });

  it('makes reads and changes of the store “unavailable”, not an unknown error', async () => {
    await refuse();
    const reading = store.virtualKeys.list();
    await expect(reading).rejects.toBeInstanceOf(StoreError);
    await expect(reading).rejects.toMatchObject({ code: 'unavailable' });
    await expect(store.logs.list({ tenant: 'acme', limit: 1 })).rejects.toMatchObject({
      code: 'unavailable',
    });
    await expect(
      store.configs.create({ name: 'refused', config: { provider: 'openai' } }, 'cli'),
    ).rejects.toMatchObject({ code: 'unavailable' });
  });
});
