import type { Kysely } from 'kysely';
import type { Database } from '../database/schema.js';
import { newId } from '../ids.js';
import { jsonObjectOfLine } from '../request-logs/log-spill.js';
import { addLimitSpendRows, type LimitSpendRow } from './limit-spend.js';

/**
 * The spill file of limits' spend the database still refused at shutdown (beside the request log's):
 * subjects (`vk:<slug>`, `gk:<key id>`, `md:…`), days and amounts, no secret.
 */
export const LIMIT_SPEND_SPILL_FILE = 'limit-spend-spill.jsonl';

/** A spill file's line: one subject-day's spend, with the id that makes its replay add it once. */
export type LimitSpendSpillRow = LimitSpendRow & { readonly id: string };

/** The spill rows of spend a close could not write, each with a new id. */
export function limitSpendSpillRowsOf(rows: readonly LimitSpendRow[]): LimitSpendSpillRow[] {
  return rows.map((row) => ({ id: newId(), ...row }));
}

const count = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** The row a spill file's line holds, or undefined when it is not one (a torn or edited line). */
export function limitSpendRowOfLine(line: string): LimitSpendSpillRow | undefined {
  const row = jsonObjectOfLine(line);
  if (row === undefined) return undefined;
  const { id, subject, day, cost_micros, tokens, requests } = row;
  if (
    typeof id !== 'string' ||
    id === '' ||
    typeof subject !== 'string' ||
    subject === '' ||
    !count(day) ||
    !count(cost_micros) ||
    !count(tokens) ||
    !count(requests)
  )
    return undefined;
  return { id, subject, day, cost_micros, tokens, requests };
}

/** Ids per statement (each one bound value). */
const IDS_PER_STATEMENT = 500;

/**
 * Adds spilled spend to `limit_spend` in one transaction, each row once: its id is inserted into
 * `limit_spend_spills` in the same transaction, and a row whose id is there already (a replay a crash
 * cut short after its commit, a line repeated) adds nothing. Answers how many rows were added.
 */
export async function writeSpilledLimitSpend(
  db: Kysely<Database>,
  rows: readonly LimitSpendSpillRow[],
  now: number,
): Promise<{ written: number; refused: number }> {
  if (rows.length === 0) return { written: 0, refused: 0 };
  const written = await db.transaction().execute(async (transaction) => {
    const fresh = new Set<string>();
    const unique = [...new Map(rows.map((row) => [row.id, row])).values()];
    for (let start = 0; start < unique.length; start += IDS_PER_STATEMENT) {
      const inserted = await transaction
        .insertInto('limit_spend_spills')
        .values(
          unique.slice(start, start + IDS_PER_STATEMENT).map((row) => ({ id: row.id, written_at: now })),
        )
        .onConflict((conflict) => conflict.column('id').doNothing())
        .returning('id')
        .execute();
      for (const { id } of inserted) fresh.add(id);
    }
    const adding = unique
      .filter((row) => fresh.has(row.id))
      .map(({ subject, day, cost_micros, tokens, requests }) => ({
        subject,
        day,
        cost_micros,
        tokens,
        requests,
      }));
    // Two lines of one subject-day in a batch: one statement may not touch a row twice.
    const summed = new Map<string, LimitSpendRow>();
    for (const row of adding) {
      const key = `${row.day}\u0000${row.subject}`;
      const before = summed.get(key);
      summed.set(
        key,
        before === undefined
          ? row
          : {
              ...before,
              cost_micros: before.cost_micros + row.cost_micros,
              tokens: before.tokens + row.tokens,
              requests: before.requests + row.requests,
            },
      );
    }
    await addLimitSpendRows(transaction, [...summed.values()]);
    return adding.length;
  });
  return { written, refused: 0 };
}
