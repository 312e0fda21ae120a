import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../database/open-sqlite.js';
import type { Database } from '../database/schema.js';
import { migrateToLatest } from '../migrations/migrate.js';
import { openStore } from '../open-store.js';
import { type LogSpillOutcome, startLogSpillReplay } from '../request-logs/log-spill.js';
import {
  LIMIT_SPEND_SPILL_FILE,
  type LimitSpendSpillRow,
  limitSpendRowOfLine,
  writeSpilledLimitSpend,
} from './limit-spend-spill.js';

// SQLite only: the statements are the same on PostgreSQL, which the gateway's
// limit-spend-spill-e2e test drives on a cluster of its own.
const DAY = 20_429;
const row = (id: string, subject: string, spend: number): LimitSpendSpillRow => ({
  id,
  subject,
  day: DAY,
  cost_micros: spend * 100,
  tokens: spend * 10,
  requests: spend,
});

let dir: string;
let db: Kysely<Database>;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pk-spend-spill-'));
  db = (await openSqlite(join(dir, 'pk.db'))).db;
  await migrateToLatest(db, 'sqlite');
});
afterEach(async () => {
  await db.destroy();
  await rm(dir, { recursive: true, force: true });
});

const spendOf = async (subject: string) =>
  db
    .selectFrom('limit_spend')
    .select(['cost_micros', 'tokens', 'requests'])
    .where('subject', '=', subject)
    .where('day', '=', DAY)
    .executeTakeFirst();

describe('a spill file’s line of limits’ spend', () => {
  it('is read when it holds an id, a subject, a day and whole amounts', () => {
    expect(limitSpendRowOfLine(JSON.stringify(row('a', 'vk:one', 2)))).toEqual(row('a', 'vk:one', 2));
    for (const line of [
      '{"id":"a","subject":"vk:one","day":1,"cost_micros":1,"tokens":1',
      JSON.stringify({ ...row('a', 'vk:one', 1), id: '' }),
      JSON.stringify({ ...row('a', 'vk:one', 1), subject: 3 }),
      JSON.stringify({ ...row('a', 'vk:one', 1), cost_micros: -5 }),
      JSON.stringify({ ...row('a', 'vk:one', 1), tokens: 1.5 }),
      JSON.stringify({ ...row('a', 'vk:one', 1), requests: '2' }),
      '[1,2]',
    ])
      expect(limitSpendRowOfLine(line)).toBeUndefined();
  });
});

describe('writeSpilledLimitSpend', () => {
  it('adds each line once: a batch written again, or a line repeated, adds nothing twice', async () => {
    await db
      .insertInto('limit_spend')
      .values({ subject: 'vk:one', day: DAY, cost_micros: 1000, tokens: 100, requests: 10 })
      .execute();
    const rows = [row('a', 'vk:one', 2), row('b', 'vk:one', 3), row('c', 'gk:two', 1), row('a', 'vk:one', 2)];
    expect(await writeSpilledLimitSpend(db, rows, 1)).toEqual({ written: 3, refused: 0 });
    expect(await spendOf('vk:one')).toEqual({ cost_micros: 1500, tokens: 150, requests: 15 });
    expect(await spendOf('gk:two')).toEqual({ cost_micros: 100, tokens: 10, requests: 1 });
    expect(await writeSpilledLimitSpend(db, rows, 2)).toEqual({ written: 0, refused: 0 });
    expect(await writeSpilledLimitSpend(db, [row('b', 'vk:one', 3), row('d', 'vk:one', 4)], 3)).toEqual({
      written: 1,
      refused: 0,
    });
    expect(await spendOf('vk:one')).toEqual({ cost_micros: 1900, tokens: 190, requests: 19 });
  });

  it('a replay whose answer was lost after its commit (a crash) is retried without counting twice', async () => {
    const path = join(dir, LIMIT_SPEND_SPILL_FILE);
    const lines = [row('a', 'vk:one', 1), row('b', 'vk:one', 2), row('c', 'vk:one', 4)];
    writeFileSync(path, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n{"torn":`);
    let lost = 0;
    const outcome = await new Promise<LogSpillOutcome>((resolve) => {
      startLogSpillReplay({
        path,
        batchSize: 2,
        retryMs: 1,
        rowOfLine: limitSpendRowOfLine,
        write: async (batch) => {
          const written = await writeSpilledLimitSpend(db, batch as LimitSpendSpillRow[], 1);
          // The first batch commits, then its answer is lost.
          if (lost === 0) {
            lost += 1;
            throw new Error('connection reset after commit');
          }
          return written;
        },
        onRecovered: resolve,
      });
    });
    expect(outcome).toEqual({ recovered: 1, alreadyStored: 2, refused: 0, skippedLines: 1 });
    expect(await spendOf('vk:one')).toEqual({ cost_micros: 700, tokens: 70, requests: 7 });
    expect(existsSync(path)).toBe(false);
  });
});

describe('limits’ spend a SQLite store cannot write at close', () => {
  it('is kept in the spill file (0600, no secret) while another process holds the write lock, and added at the next open, once', async () => {
    const limitSpendSpillFile = join(dir, 'spill', LIMIT_SPEND_SPILL_FILE);
    const dataDir = join(dir, 'data');
    const warnings: string[] = [];
    const losses: string[] = [];
    const options = {
      dataDir,
      limitSpendSpillFile,
      pollIntervalMs: 100,
      onWarning: (message: string) => warnings.push(message),
      onLoss: (message: string) => losses.push(message),
    };
    const store = await openStore(options);
    const at = DAY * 86_400_000 + 1000;
    store.limitSpend.record('vk:kept', at, { costMicros: 2500, tokens: 30, requests: 3 });
    const { default: BetterSqlite3 } = await import('better-sqlite3');
    const other = new BetterSqlite3(join(dataDir, 'pk.db'));
    other.exec('begin immediate');
    try {
      await store.close({ deadlineAt: Date.now() + 300 });
    } finally {
      other.exec('rollback');
      other.close();
    }
    expect(losses).toEqual([]);
    expect(warnings).toContain(
      `limits' spend not written at close (3 requests, 30 tokens, 0.0025 USD over 1 subject-days): ` +
        `kept in ${limitSpendSpillFile}, added to the store at the next start`,
    );
    expect(statSync(limitSpendSpillFile).mode & 0o777).toBe(0o600);
    expect(
      readFileSync(limitSpendSpillFile, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => limitSpendRowOfLine(line)),
    ).toEqual([
      { id: expect.any(String), subject: 'vk:kept', day: DAY, cost_micros: 2500, tokens: 30, requests: 3 },
    ]);

    const next = await openStore(options);
    try {
      for (let waited = 0; existsSync(limitSpendSpillFile) && waited < 5000; waited += 20)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(existsSync(limitSpendSpillFile)).toBe(false);
      expect(warnings).toContain("limits' spend spill: 1 subject-day(s) added to the store");
      expect(await next.limitSpend.sum(['vk:kept'], at)).toEqual(
        new Map([['vk:kept', { costMicros: 2500, tokens: 30, requests: 3 }]]),
      );
    } finally {
      await next.close();
    }
  });
});
