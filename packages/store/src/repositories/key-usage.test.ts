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
  it('a flush waits for another writer’s lock without blocking the thread', async () => {
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
    setTimeout(() => other.exec('commit'), 300);
    const ticks: number[] = [];
    const ticker = setInterval(() => ticks.push(performance.now()), 20);
    await recorder.flush();
    clearInterval(ticker);
    other.close();
    expect(ticks.length).toBeGreaterThan(5);
    expect(Math.max(...ticks.slice(1).map((tick, index) => tick - (ticks[index] ?? tick)))).toBeLessThan(150);
    expect(errors).toEqual([]);
    expect(await handle.db.selectFrom('gateway_key_usage').selectAll().execute()).toEqual([
      { key_id: 'k', last_used_at: 1000 },
    ]);
  });

  it('keeps what it could not write by the lock wait’s deadline, and tells close’s caller', async () => {
    const recorder = new KeyUsageRecorder({
      db: handle.db,
      engine: 'sqlite',
      flushMs: 60_000,
      onError: () => undefined,
    });
    recorder.record('k', 1000);
    const other = new BetterSqlite3(join(dir, 'pk.db'));
    other.exec('begin immediate');
    handle.lockWait.endBy(Date.now() + 200);
    const started = performance.now();
    expect(await recorder.close()).toBe(1);
    expect(performance.now() - started).toBeLessThan(1000);
    other.exec('rollback');
    other.close();
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
