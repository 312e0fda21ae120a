import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteHandle } from '../database/open-sqlite.js';
import { migrateToLatest } from '../migrations/migrate.js';
import { KeyUsageRecorder } from './key-usage.js';

let dir: string;
let handle: SqliteHandle;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pk-key-usage-'));
  handle = await openSqlite(join(dir, 'pk.db'));
  await migrateToLatest(handle.db, 'sqlite');
});
afterEach(async () => {
  await handle.db.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('last-used times on SQLite', () => {
  it('a timed flush never blocks the thread on another writer’s lock, and retries later', async () => {
    const errors: unknown[] = [];
    const recorder = new KeyUsageRecorder({
      db: handle.db,
      engine: 'sqlite',
      flushMs: 60_000,
      onError: (error) => errors.push(error),
    });
    recorder.record('k', 1000);
    const other = new BetterSqlite3(join(dir, 'pk.db'));
    other.exec('begin immediate');
    const started = performance.now();
    await recorder.flush();
    expect(performance.now() - started).toBeLessThan(100);
    expect(errors).toEqual([]);
    expect(await handle.db.selectFrom('gateway_key_usage').selectAll().execute()).toEqual([]);
    other.exec('commit');
    other.close();
    recorder.record('k', 2000);
    await recorder.close();
    expect(await handle.db.selectFrom('gateway_key_usage').selectAll().execute()).toEqual([
      { key_id: 'k', last_used_at: 2000 },
    ]);
  });

  it('keeps the latest time when two writers flush the same key', async () => {
    const a = new KeyUsageRecorder({
      db: handle.db,
      engine: 'sqlite',
      flushMs: 60_000,
      onError: () => undefined,
    });
    a.record('k', 5000);
    await a.flush();
    a.record('k', 3000);
    await a.close();
    expect(
      (await handle.db.selectFrom('gateway_key_usage').selectAll().executeTakeFirst())?.last_used_at,
    ).toBe(5000);
  });
});
