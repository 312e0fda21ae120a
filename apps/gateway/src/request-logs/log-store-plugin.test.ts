import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, RequestLogWriter, type Store } from '@pk/store';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../app.js';
import { spillRecoveredMessage } from './log-store-plugin.js';

const DAY_MS = 86_400_000;

describe('request log retention', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('deletes log exports made before the retention period, with their files, and keeps newer ones', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pk-retention-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    // An export made three days ago (the store's clock), and one made now.
    const past: Store = await openStore({
      dataDir,
      now: () => Date.now() - 3 * DAY_MS,
      onWarning: () => undefined,
    });
    const old = await past.logExports.create({ tenant: null, filters: {}, requestedData: ['id'] });
    const run = await past.logExports.start(old.id, undefined);
    await past.logExports.progress(run, 1, { index: 0, body: '{"id":"x"}\n' });
    await past.logExports.finish(run, { total: 1 });
    await past.close();
    const store = await openStore({ dataDir, onWarning: () => undefined });
    cleanups.push(() => store.close());
    const recent = await store.logExports.create({ tenant: null, filters: {}, requestedData: ['id'] });

    const writer = new RequestLogWriter({ sink: store.openLogSink(), flushMs: 50 });
    const app = await buildApp({
      store,
      requestLog: { writer, retentionDays: 2, retentionEveryMs: 50 },
      console: false,
    });
    cleanups.push(() => app.close());
    await vi.waitFor(async () => expect(await store.logExports.get(old.id)).toBeUndefined(), {
      timeout: 3000,
      interval: 50,
    });
    expect((await store.logExports.list()).map((item) => item.id)).toEqual([recent.id]);
    const parts = await store.db.selectFrom('log_export_parts').selectAll().execute();
    expect(parts).toEqual([]);
  });
});

describe('the line of a replayed spill file', () => {
  it('counts only the records written as recovered, and names the others', () => {
    expect(spillRecoveredMessage({ recovered: 3, alreadyStored: 0, refused: 0, skippedLines: 1 })).toBe(
      'request log spill: 3 records recovered into the store',
    );
    expect(spillRecoveredMessage({ recovered: 1, alreadyStored: 2, refused: 1, skippedLines: 0 })).toBe(
      'request log spill: 1 record recovered into the store; not written: 2 records stored already, 1 record refused by the store',
    );
  });
});
