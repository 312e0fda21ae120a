import { type Kysely, type Migration, sql } from 'kysely';

const DAY_MS = 86_400_000;
/** The longest budget period pk knows (`periodic_reset_days: 365`), with room for a leap year. */
const LOOKBACK_MS = 367 * DAY_MS;
const ROWS_PER_STATEMENT = 500;

interface SpendRow {
  readonly subject: string;
  readonly day: number;
  cost_micros: number;
  tokens: number;
  requests: number;
}

/**
 * The spend of limited keys before migration 0017 was applied, from the request logs: pk before
 * 0017 kept a budget's spend only in the limits store, so a one-process gateway (memory limits) that
 * was upgraded forgot what its keys had spent in the current period, and served a budget spent to
 * 90% as if nothing had been spent. Each request record of the lookback is counted as it settled:
 * one request, its total tokens and its cost (none of either for a cache hit), on its UTC day, for
 * its virtual key (`vk:<record id>`, `vk:<slug>` for a key of the settings file) and its gateway key
 * (`gk:<id>`). Metadata limits are not recovered (their subject is not on the record).
 *
 * Only when `limit_spend` has no row at all, and only records written before 0017 was applied: a
 * database where pk already recorded spend is never counted twice, and what was settled since is
 * already in the table. Records the log store did not keep (`PK_LOG_STORE=off`, past retention)
 * cannot be recovered.
 */
export function limitSpendFromLogsMigration(): Migration {
  return {
    async up(untyped: Kysely<unknown>): Promise<void> {
      // biome-ignore lint/suspicious/noExplicitAny: a migration reads the schema of its own time, not the current `Database`.
      const db = untyped as Kysely<any>;
      const recorded = await db.selectFrom('limit_spend').select('subject').limit(1).execute();
      if (recorded.length > 0) return;
      const applied = await sql<{
        timestamp: string;
      }>`select timestamp from pk_migrations where name = '0017-limit-spend'`.execute(db);
      const appliedMs = Date.parse(applied.rows[0]?.timestamp ?? '');
      const untilMs = Number.isFinite(appliedMs) ? appliedMs : Date.now();
      const hit = sql<boolean>`cache_status in ('HIT', 'SEMANTIC HIT')`;
      const grouped = await db
        .selectFrom('request_logs')
        .select([
          sql<number | string>`created_at / ${sql.lit(DAY_MS)}`.as('day'),
          'virtual_key',
          'gateway_key_id',
          sql<number | string>`sum(case when ${hit} then 0 else coalesce(cost, 0) end)`.as('cost'),
          sql<number | string>`sum(case when ${hit} then 0 else coalesce(total_tokens, 0) end)`.as('tokens'),
          sql<number | string>`count(*)`.as('requests'),
        ])
        .where('created_at', '>=', untilMs - LOOKBACK_MS)
        .where('created_at', '<', untilMs)
        .where((eb) => eb.or([eb('virtual_key', 'is not', null), eb('gateway_key_id', 'is not', null)]))
        .groupBy([sql`created_at / ${sql.lit(DAY_MS)}`, 'virtual_key', 'gateway_key_id'])
        .execute();
      if (grouped.length === 0) return;
      const stored = await db.selectFrom('virtual_keys').select(['id', 'slug']).execute();
      const idOfSlug = new Map<string, string>(stored.map((row) => [row.slug as string, row.id as string]));
      const spend = new Map<string, SpendRow>();
      const add = (subject: string, day: number, row: (typeof grouped)[number]): void => {
        const key = `${day}\u0000${subject}`;
        const entry = spend.get(key) ?? { subject, day, cost_micros: 0, tokens: 0, requests: 0 };
        entry.cost_micros += Math.round(Number(row.cost) * 1_000_000);
        entry.tokens += Number(row.tokens);
        entry.requests += Number(row.requests);
        spend.set(key, entry);
      };
      for (const row of grouped) {
        const day = Math.floor(Number(row.day));
        if (typeof row.virtual_key === 'string')
          add(`vk:${idOfSlug.get(row.virtual_key) ?? row.virtual_key}`, day, row);
        if (typeof row.gateway_key_id === 'string') add(`gk:${row.gateway_key_id}`, day, row);
      }
      const rows = [...spend.values()];
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        await db
          .insertInto('limit_spend')
          .values(rows.slice(start, start + ROWS_PER_STATEMENT))
          .execute();
      }
    },
  };
}
