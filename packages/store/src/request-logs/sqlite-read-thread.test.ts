import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteReadThread } from './sqlite-read-thread.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof import('better-sqlite3');

describe('the SQLite read thread', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pk-read-thread-'));
    path = join(dir, 'read.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec("create table t (n integer, s text); insert into t values (1, 'a'), (2, 'b'), (3, null)");
    db.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers a statement’s rows with its parameters, starts with the first query and stops when idle', async () => {
    const thread = new SqliteReadThread(path, { idleStopMs: 50 });
    expect(thread.running).toBe(false);
    expect(await thread.all('select n, s from t where n >= ? order by n', [2])).toEqual([
      { n: 2, s: 'b' },
      { n: 3, s: null },
    ]);
    expect(thread.running).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(thread.running).toBe(false);
    expect(await thread.all('select count(*) as c from t', [])).toEqual([{ c: 3 }]);
    await thread.close();
  });

  it('refuses a failing statement with the database’s message, and answers the next one', async () => {
    const thread = new SqliteReadThread(path);
    await expect(thread.all('select * from missing', [])).rejects.toThrow(/no such table: missing/);
    // Read-only: a write is refused, never applied.
    await expect(thread.all("insert into t values (4, 'd') returning n", [])).rejects.toThrow(/readonly/);
    expect(await thread.all('select max(n) as n from t', [])).toEqual([{ n: 3 }]);
    await thread.close();
  });

  it('refuses what waited on a stopped thread; the next query starts another', async () => {
    const thread = new SqliteReadThread(path);
    const waiting = thread.all(
      'with recursive r(i) as (select 0 union all select i + 1 from r where i < 3000000) select count(*) as c from r',
      [],
    );
    const refused = expect(waiting).rejects.toThrow(/stopped/);
    await thread.close();
    await refused;
    expect(await thread.all('select count(*) as c from t', [])).toEqual([{ c: 3 }]);
    await thread.close();
  });
});

describe('the SQLite read thread’s lanes', () => {
  let dir: string;
  let path: string;
  // ~0.3–1 s of SQLite work (a count over a generated series): an analytics summary's stand-in.
  const SLOW =
    'with recursive r(i) as (select 0 union all select i + 1 from r where i < 3000000) select count(*) as c from r';
  const timed = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
    const started = performance.now();
    const value = await run();
    return [value, performance.now() - started];
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pk-read-lanes-'));
    path = join(dir, 'read.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec("create table t (n integer, s text); insert into t values (1, 'a'), (2, 'b'), (3, null)");
    db.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers a short read while an analytics read runs, not after it', async () => {
    const thread = new SqliteReadThread(path);
    // Warm both lanes: a thread's start is not what is measured.
    await thread.all('select 1 as one', []);
    await thread.all('select 1 as one', [], { lane: 'analytics' });
    const [, slowMs] = await timed(() => thread.all(SLOW, [], { lane: 'analytics' }));
    const slow = timed(() => thread.all(SLOW, [], { lane: 'analytics' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [rows, shortMs] = await timed(() => thread.all('select count(*) as c from t', []));
    expect(rows).toEqual([{ c: 3 }]);
    expect(shortMs).toBeLessThan(slowMs / 3);
    expect((await slow)[0]).toEqual([{ c: 3000001 }]);
    expect(thread.laneRunning('short')).toBe(true);
    expect(thread.laneRunning('analytics')).toBe(true);
    await thread.close();
  });

  it('never runs a queued read whose caller gave up, and stops a running analytics read', async () => {
    const thread = new SqliteReadThread(path);
    await thread.all('select 1 as one', [], { lane: 'analytics' });
    const [, slowMs] = await timed(() => thread.all(SLOW, [], { lane: 'analytics' }));
    // Queued behind a slow one, then given up: refused at once, and never run after it.
    const first = thread.all(SLOW, [], { lane: 'analytics' });
    const leaving = new AbortController();
    const queued = timed(() =>
      thread.all(SLOW, [], { lane: 'analytics', signal: leaving.signal }).catch((error: Error) => error),
    );
    leaving.abort();
    const [refused, refusedMs] = await queued;
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/given up/);
    expect(refusedMs).toBeLessThan(slowMs / 2);
    await first;
    const [, nextMs] = await timed(() =>
      thread.all('select count(*) as c from t', [], { lane: 'analytics' }),
    );
    expect(nextMs).toBeLessThan(slowMs / 2);
    // Running, then given up: the thread is stopped, and the next read starts another.
    const stopping = new AbortController();
    const running = timed(() =>
      thread.all(SLOW, [], { lane: 'analytics', signal: stopping.signal }).catch((error: Error) => error),
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    stopping.abort();
    const [stopped, stoppedMs] = await running;
    expect((stopped as Error).message).toMatch(/given up/);
    expect(stoppedMs).toBeLessThan(slowMs / 2 + 30);
    expect(await thread.all('select max(n) as n from t', [], { lane: 'analytics' })).toEqual([{ n: 3 }]);
    await thread.close();
  });
});
