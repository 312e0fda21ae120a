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
