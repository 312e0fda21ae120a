import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteHandle } from './open-sqlite.js';
import { SqliteLockWait } from './sqlite-lock-wait.js';

let dir: string;
let handle: SqliteHandle;
let other: BetterSqlite3.Database;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pk-sqlite-dialect-'));
  handle = await openSqlite(join(dir, 'pk.db'), new SqliteLockWait(1000));
  await sql`create table t (a integer)`.execute(handle.db);
  other = new BetterSqlite3(join(dir, 'pk.db'));
});
afterEach(async () => {
  other.close();
  await handle.db.destroy();
  await rm(dir, { recursive: true, force: true });
});

/** The longest gap between ticks of a 10 ms timer while `work` runs (ms): how long the thread was blocked. */
async function longestStall(work: Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 10);
  await work.catch(() => undefined);
  clearInterval(ticker);
  return Math.max(longest, performance.now() - last);
}

describe('the SQLite store while another process holds the write lock', () => {
  it('waits for the lock without blocking the thread, and lets reads through meanwhile', async () => {
    other.exec('begin immediate');
    const write = handle.db.transaction().execute((trx) => sql`insert into t values (1)`.execute(trx));
    const readStarted = performance.now();
    expect((await sql<{ n: number }>`select count(*) as n from t`.execute(handle.db)).rows).toEqual([
      { n: 0 },
    ]);
    expect(performance.now() - readStarted).toBeLessThan(100);
    setTimeout(() => other.exec('commit'), 300);
    expect(await longestStall(write)).toBeLessThan(150);
    expect((await sql<{ n: number }>`select count(*) as n from t`.execute(handle.db)).rows).toEqual([
      { n: 1 },
    ]);
  });

  it('gives up with SQLITE_BUSY at the lock wait’s deadline, a write outside a transaction too', async () => {
    other.exec('begin immediate');
    const started = performance.now();
    await expect(sql`insert into t values (1)`.execute(handle.db)).rejects.toMatchObject({
      code: 'SQLITE_BUSY',
    });
    expect(performance.now() - started).toBeGreaterThan(800);
    handle.lockWait.endBy(Date.now() + 100);
    const ended = performance.now();
    await expect(
      handle.db.transaction().execute((trx) => sql`insert into t values (1)`.execute(trx)),
    ).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    expect(performance.now() - ended).toBeLessThan(400);
    other.exec('rollback');
  });
});
