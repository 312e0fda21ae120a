import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../database/schema.js';

/**
 * A guardrail's secrets (its checks' headers' values, a webhook URL's `?token=`) encrypted by the
 * vault, as a saved config's credentials are, its `definition` keeping only their masks. Rows
 * written before keep their clear text (and `secret` null): they are read as they are, masked in
 * answers, and encrypted at their first change.
 */
export function guardrailSecretsMigration(engine: Engine): Migration {
  const bytes = engine === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('guardrails').addColumn('secret', bytes).execute();
      await db.schema.alterTable('guardrails').addColumn('secret_key_id', 'text').execute();
    },
  };
}
