import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../database/open-postgres.js';
import { openSqlite } from '../database/open-sqlite.js';
import type { Database, Engine } from '../database/schema.js';
import { migrateToLatest } from '../migrations/migrate.js';
import { createTemporaryDatabase, requirePostgres } from '../testing/postgres.js';
import { LimitSpendRecorder, utcDayOf } from './limit-spend.js';

const DAY = 86_400_000;
const DEC_1 = Date.UTC(2026, 11, 1);
const MONDAY_DEC_7 = Date.UTC(2026, 11, 7);

interface Engines {
  readonly db: Kysely<Database>;
  readonly close: () => Promise<void>;
}

async function sqliteDatabase(): Promise<Engines> {
  const dir = await mkdtemp(join(tmpdir(), 'pk-limit-spend-'));
  const handle = await openSqlite(join(dir, 'pk.db'));
  await migrateToLatest(handle.db, 'sqlite');
  return {
    db: handle.db,
    close: async () => {
      await handle.db.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresDatabase(): Promise<Engines> {
  const database = await createTemporaryDatabase();
  const { db } = await openPostgres(database.url, () => undefined);
  await migrateToLatest(db, 'postgres');
  return {
    db,
    close: async () => {
      await db.destroy();
      await database.drop();
    },
  };
}

const engines: [Engine, () => Promise<Engines>][] = [['sqlite', sqliteDatabase]];
if (await requirePostgres('limit spend')) engines.push(['postgres', postgresDatabase]);

describe.each(engines)('limits’ spend per day on %s', (engine, open) => {
  let database: Engines;
  beforeAll(async () => {
    database = await open();
  });
  afterAll(async () => database.close());

  const recorder = () =>
    new LimitSpendRecorder({
      db: database.db,
      engine,
      flushMs: 60_000,
      onError: (error) => expect(error).toBe(null),
    });

  it('sums a period’s days, written or not, and replicas’ flushes add up', async () => {
    const a = recorder();
    const b = recorder();
    a.record('vk:one', DEC_1 + 3_600_000, { costMicros: 100, tokens: 10, requests: 1 });
    a.record('vk:one', DEC_1 + 7_200_000, { costMicros: 50, tokens: 5, requests: 1 });
    a.record('vk:one', MONDAY_DEC_7 + 60_000, { costMicros: 7, tokens: 70, requests: 1 });
    b.record('vk:one', MONDAY_DEC_7 + 120_000, { costMicros: 3, tokens: 30, requests: 2 });
    a.record('vk:other', MONDAY_DEC_7, { costMicros: 1, tokens: 1, requests: 1 });
    await b.close();
    // a's amounts are still in its map: a read writes them first.
    expect(Object.fromEntries(await a.sum(['vk:one', 'vk:other', 'vk:none'], DEC_1))).toEqual({
      'vk:one': { costMicros: 160, tokens: 115, requests: 5 },
      'vk:other': { costMicros: 1, tokens: 1, requests: 1 },
    });
    expect(Object.fromEntries(await a.sum(['vk:one'], MONDAY_DEC_7))).toEqual({
      'vk:one': { costMicros: 10, tokens: 100, requests: 3 },
    });
    // More subjects than one query takes.
    const many = Array.from({ length: 1200 }, (_, index) => `vk:many-${index}`);
    for (const subject of many) a.record(subject, DEC_1, { costMicros: 1, tokens: 1, requests: 1 });
    expect((await a.sum(many, DEC_1)).size).toBe(1200);
    const rows = await database.db
      .selectFrom('limit_spend')
      .selectAll()
      .where('subject', '=', 'vk:one')
      .execute();
    expect(rows.map((row) => row.day).sort()).toEqual([utcDayOf(DEC_1), utcDayOf(MONDAY_DEC_7)]);
    await a.close();
  });

  it('a metadata rule’s values are read by their prefix, exactly (no other rule, no other case)', async () => {
    const spend = recorder();
    spend.record('md:team:red', DEC_1, { costMicros: 1, tokens: 2, requests: 1 });
    spend.record('md:team:blue', DEC_1 + DAY, { costMicros: 3, tokens: 4, requests: 1 });
    spend.record('md:teams:x', DEC_1, { costMicros: 9, tokens: 9, requests: 9 });
    spend.record('md:TEAM:red', DEC_1, { costMicros: 9, tokens: 9, requests: 9 });
    spend.record('md:t_am:red', DEC_1, { costMicros: 9, tokens: 9, requests: 9 });
    spend.record('md:team:old', DEC_1 - DAY, { costMicros: 9, tokens: 9, requests: 9 });
    const found = await spend.sumByPrefix('md:team:', DEC_1);
    expect(Object.fromEntries(found)).toEqual({
      'md:team:red': { costMicros: 1, tokens: 2, requests: 1 },
      'md:team:blue': { costMicros: 3, tokens: 4, requests: 1 },
    });
    expect([...(await spend.sumByPrefix('md:t_am:', DEC_1)).keys()]).toEqual(['md:t_am:red']);
    await spend.close();
  });

  it('a reset forgets the period’s days, those not written yet included', async () => {
    const spend = recorder();
    spend.record('gk:reset', DEC_1 - DAY, { costMicros: 1, tokens: 1, requests: 1 });
    spend.record('gk:reset', DEC_1, { costMicros: 2, tokens: 2, requests: 1 });
    await spend.flush();
    spend.record('gk:reset', DEC_1 + DAY, { costMicros: 4, tokens: 4, requests: 1 });
    await spend.clear('gk:reset', DEC_1);
    expect((await spend.sum(['gk:reset'], DEC_1)).size).toBe(0);
    expect(await spend.sum(['gk:reset'], 0)).toEqual(
      new Map([['gk:reset', { costMicros: 1, tokens: 1, requests: 1 }]]),
    );
    await spend.close();
  });
});

describe('limits’ spend at close while another process holds the SQLite write lock', () => {
  it('answers the spend it could not write by the lock wait’s deadline, summed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pk-limit-spend-lock-'));
    const handle = await openSqlite(join(dir, 'pk.db'));
    const { default: BetterSqlite3 } = await import('better-sqlite3');
    const other = new BetterSqlite3(join(dir, 'pk.db'));
    try {
      await migrateToLatest(handle.db, 'sqlite');
      const spend = new LimitSpendRecorder({
        db: handle.db,
        engine: 'sqlite',
        flushMs: 60_000,
        onError: () => {},
      });
      spend.record('key:a', DEC_1, { costMicros: 1500, tokens: 10, requests: 1 });
      spend.record('key:b', DEC_1, { costMicros: 500, tokens: 5, requests: 2 });
      other.exec('begin immediate');
      handle.lockWait.endBy(Date.now() + 200);
      const started = performance.now();
      expect(await spend.close()).toEqual({
        entries: 2,
        costMicros: 2000,
        tokens: 15,
        requests: 3,
        rows: [
          { subject: 'key:a', day: utcDayOf(DEC_1), cost_micros: 1500, tokens: 10, requests: 1 },
          { subject: 'key:b', day: utcDayOf(DEC_1), cost_micros: 500, tokens: 5, requests: 2 },
        ],
      });
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      other.close();
      await handle.db.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
