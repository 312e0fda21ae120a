import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../database/schema.js';

/**
 * When a virtual key was disabled (null: enabled). A disabled key stays stored, named by its
 * request logs and configs, but the gateway refuses requests naming it until it is enabled again.
 * Keys stored before this migration get null: every one stays enabled.
 */
export function virtualKeyDisabledMigration(engine: Engine): Migration {
  const integer = engine === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('virtual_keys').addColumn('disabled_at', integer).execute();
    },
  };
}
