import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database, Engine } from '../database/schema.js';
import { BatchedTableWrites } from './batched-table-writes.js';

const ROWS_PER_STATEMENT = 500;
const DAY_MS = 86_400_000;

/** Spend in a limit's units: micro-USD, tokens, requests. */
export interface LimitSpend {
  readonly costMicros: number;
  readonly tokens: number;
  readonly requests: number;
}

/** The spend a close could not write: how many subject-days, their sum, and the rows themselves. */
export interface LimitSpendLoss extends LimitSpend {
  readonly entries: number;
  /** Each subject-day's spend not written (what a spill file keeps). */
  readonly rows: readonly LimitSpendRow[];
}

/** The UTC day (days since 1970-01-01) of an epoch-ms time. */
export function utcDayOf(atMs: number): number {
  return Math.floor(atMs / DAY_MS);
}

const NONE: LimitSpend = { costMicros: 0, tokens: 0, requests: 0 };

function add(a: LimitSpend, b: LimitSpend): LimitSpend {
  return {
    costMicros: a.costMicros + b.costMicros,
    tokens: a.tokens + b.tokens,
    requests: a.requests + b.requests,
  };
}

/** A summed row (PostgreSQL answers `sum` of a bigint as text). */
function spendOf(row: {
  readonly cost_micros: number | string;
  readonly tokens: number | string;
  readonly requests: number | string;
}): LimitSpend {
  return { costMicros: Number(row.cost_micros), tokens: Number(row.tokens), requests: Number(row.requests) };
}

/**
 * The settled spend of limited subjects per UTC day (`limit_spend`), written off the request path:
 * `record` adds to a map; a timer adds what gathered to the table in one transaction every
 * `flushMs` (replicas each add their own; `close` writes the rest). A failed flush keeps its
 * amounts for the next one. Reads sum the days of a period: every period the limits know (a month,
 * a week from Monday, N-day blocks from 1970-01-01, forever) starts at a UTC midnight.
 */
export class LimitSpendRecorder {
  readonly #db: Kysely<Database>;
  /** `<day>\u0000<subject>` → spend not written yet. */
  readonly #writes: BatchedTableWrites<LimitSpend>;

  constructor(options: {
    readonly db: Kysely<Database>;
    readonly engine: Engine;
    readonly flushMs: number;
    readonly onError: (error: unknown) => void;
  }) {
    this.#db = options.db;
    this.#writes = new BatchedTableWrites<LimitSpend>({
      ...options,
      merge: (pending, key, spend) => pending.set(key, add(pending.get(key) ?? NONE, spend)),
      write: (db, batch) => addSpend(db, batch),
    });
  }

  /** Adds a settled request's spend to `subject`'s day of `atMs`. */
  record(subject: string, atMs: number, spend: LimitSpend): void {
    this.#writes.record(`${utcDayOf(atMs)}\u0000${subject}`, spend);
  }

  /** Writes what has gathered (see {@link BatchedTableWrites} for SQLite's write lock). */
  flush(): Promise<void> {
    return this.#writes.flush();
  }

  /**
   * The spend of each of `subjects` from the UTC day of `fromMs` on (what this process has not
   * written yet included: it is written first); subjects without any are left out. Reads the
   * primary key's ranges, up to 500 subjects per query.
   */
  async sum(subjects: readonly string[], fromMs: number): Promise<Map<string, LimitSpend>> {
    await this.flush();
    const spend = new Map<string, LimitSpend>();
    for (let start = 0; start < subjects.length; start += ROWS_PER_STATEMENT) {
      const rows = await this.#db
        .selectFrom('limit_spend')
        .select((eb) => [
          'subject',
          eb.fn.sum<number | string>('cost_micros').as('cost_micros'),
          eb.fn.sum<number | string>('tokens').as('tokens'),
          eb.fn.sum<number | string>('requests').as('requests'),
        ])
        .where('subject', 'in', subjects.slice(start, start + ROWS_PER_STATEMENT))
        .where('day', '>=', utcDayOf(fromMs))
        .groupBy('subject')
        .execute();
      for (const row of rows) spend.set(row.subject, spendOf(row));
    }
    return spend;
  }

  /** The spend of every subject whose key starts with `prefix` (a metadata rule's values), from `fromMs`'s day. */
  async sumByPrefix(prefix: string, fromMs: number): Promise<Map<string, LimitSpend>> {
    await this.flush();
    const pattern = `${prefix.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
    const rows = await this.#db
      .selectFrom('limit_spend')
      .select((eb) => [
        'subject',
        eb.fn.sum<number | string>('cost_micros').as('cost_micros'),
        eb.fn.sum<number | string>('tokens').as('tokens'),
        eb.fn.sum<number | string>('requests').as('requests'),
      ])
      .where(sql<boolean>`subject like ${pattern} escape '\\'`)
      .where('day', '>=', utcDayOf(fromMs))
      .groupBy('subject')
      .execute();
    const spend = new Map<string, LimitSpend>();
    // SQLite's `like` ignores ASCII case: the exact prefix is checked here.
    for (const row of rows) {
      if (!row.subject.startsWith(prefix)) continue;
      spend.set(row.subject, spendOf(row));
    }
    return spend;
  }

  /** Forgets `subject`'s spend from the UTC day of `fromMs` on (`reset_usage`), written or not. */
  async clear(subject: string, fromMs: number): Promise<void> {
    const fromDay = utcDayOf(fromMs);
    await this.flush();
    const pending = this.#writes.pending;
    for (const key of pending.keys()) {
      const separator = key.indexOf('\u0000');
      if (key.slice(separator + 1) === subject && Number(key.slice(0, separator)) >= fromDay)
        pending.delete(key);
    }
    await this.#db
      .deleteFrom('limit_spend')
      .where('subject', '=', subject)
      .where('day', '>=', fromDay)
      .execute();
  }

  /** Stops the timer and writes what is left; answers the spend that could not be written, summed and by row. */
  async close(): Promise<LimitSpendLoss> {
    const left = await this.#writes.close();
    let spend = NONE;
    for (const value of left.values()) spend = add(spend, value);
    return { entries: left.size, ...spend, rows: limitSpendRowsOf(left) };
  }
}

/** One `limit_spend` row to add: a subject's spend on one UTC day. */
export type LimitSpendRow = {
  readonly subject: string;
  readonly day: number;
  readonly cost_micros: number;
  readonly tokens: number;
  readonly requests: number;
};

/** The rows of a batch of `<day>\u0000<subject>` → spend. */
export function limitSpendRowsOf(batch: ReadonlyMap<string, LimitSpend>): LimitSpendRow[] {
  return [...batch].map(([key, spend]) => {
    const separator = key.indexOf('\u0000');
    return {
      subject: key.slice(separator + 1),
      day: Number(key.slice(0, separator)),
      cost_micros: Math.round(spend.costMicros),
      tokens: Math.round(spend.tokens),
      requests: spend.requests,
    };
  });
}

/** Adds `rows` to the table with `executor` (a transaction): replicas each add their own. */
export async function addLimitSpendRows(
  executor: Kysely<Database>,
  rows: readonly LimitSpendRow[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    await executor
      .insertInto('limit_spend')
      .values(rows.slice(start, start + ROWS_PER_STATEMENT))
      .onConflict((conflict) =>
        conflict.columns(['subject', 'day']).doUpdateSet({
          // Replicas each add their own spend.
          cost_micros: sql<number>`limit_spend.cost_micros + excluded.cost_micros`,
          tokens: sql<number>`limit_spend.tokens + excluded.tokens`,
          requests: sql<number>`limit_spend.requests + excluded.requests`,
        }),
      )
      .execute();
  }
}

/** Adds a batch of `<day>\u0000<subject>` → spend to the table in one transaction. */
async function addSpend(db: Kysely<Database>, batch: ReadonlyMap<string, LimitSpend>): Promise<void> {
  const rows = limitSpendRowsOf(batch);
  await db.transaction().execute(async (transaction) => addLimitSpendRows(transaction, rows));
}
