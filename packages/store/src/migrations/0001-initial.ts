import { type Kysely, type Migration, sql } from 'kysely';
import type { Engine } from '../database/schema.js';

/**
 * The first schema: state, gateway keys (and their last use), virtual keys, configs and their
 * versions, feedback, audit log. SQLite's WAL mode and incremental auto-vacuum are set when the
 * file is opened, before this runs (`auto_vacuum` only takes effect on an empty file).
 */
export function initialMigration(engine: Engine): Migration {
  const time = engine === 'postgres' ? 'bigint' : 'integer';
  const bytes = engine === 'postgres' ? 'bytea' : 'blob';
  return {
    // Migrations are written against an untyped Kysely: the typed schema is what they produce.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('pk_state')
        .addColumn('id', 'integer', (column) => column.primaryKey())
        .addColumn('version', time, (column) => column.notNull())
        .addColumn('vault_check', bytes)
        .addColumn('created_at', time, (column) => column.notNull())
        .execute();
      await sql`insert into pk_state (id, version, vault_check, created_at) values (1, 1, null, ${Date.now()})`.execute(
        db,
      );

      await db.schema
        .createTable('gateway_keys')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('tenant', 'text', (column) => column.notNull())
        .addColumn('role', 'text', (column) => column.notNull())
        .addColumn('key_hash', 'text', (column) => column.notNull().unique())
        .addColumn('key_hint', 'text', (column) => column.notNull())
        .addColumn('virtual_keys', 'text')
        .addColumn('configs', 'text')
        .addColumn('scopes', 'text', (column) => column.notNull())
        .addColumn('rate_limits', 'text')
        .addColumn('usage_limits', 'text')
        .addColumn('metadata', 'text')
        .addColumn('expires_at', time)
        .addColumn('revoked_at', time)
        .addColumn('created_at', time, (column) => column.notNull())
        .addColumn('updated_at', time, (column) => column.notNull())
        .execute();
      await db.schema.createIndex('gateway_keys_tenant').on('gateway_keys').column('tenant').execute();

      await db.schema
        .createTable('gateway_key_usage')
        .addColumn('key_id', 'text', (column) => column.primaryKey())
        .addColumn('last_used_at', time, (column) => column.notNull())
        .execute();

      await db.schema
        .createTable('virtual_keys')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('slug', 'text', (column) => column.notNull().unique())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('note', 'text')
        .addColumn('provider', 'text', (column) => column.notNull())
        .addColumn('options', 'text', (column) => column.notNull())
        .addColumn('models', 'text', (column) => column.notNull())
        .addColumn('allowed_hosts', 'text', (column) => column.notNull())
        .addColumn('secret', bytes)
        .addColumn('secret_key_id', 'text')
        .addColumn('secret_hints', 'text', (column) => column.notNull())
        .addColumn('usage_limits', 'text')
        .addColumn('rate_limits', 'text')
        .addColumn('expires_at', time)
        .addColumn('created_at', time, (column) => column.notNull())
        .addColumn('updated_at', time, (column) => column.notNull())
        .execute();

      await db.schema
        .createTable('configs')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('slug', 'text', (column) => column.notNull().unique())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('is_default', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('latest_version', 'integer', (column) => column.notNull())
        .addColumn('created_at', time, (column) => column.notNull())
        .addColumn('updated_at', time, (column) => column.notNull())
        .execute();

      await db.schema
        .createTable('config_versions')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('config_id', 'text', (column) =>
          column.notNull().references('configs.id').onDelete('cascade'),
        )
        .addColumn('version', 'integer', (column) => column.notNull())
        .addColumn('config', 'text', (column) => column.notNull())
        .addColumn('secret', bytes)
        .addColumn('secret_key_id', 'text')
        .addColumn('restored_from', 'text')
        .addColumn('created_at', time, (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .addUniqueConstraint('config_versions_config_version', ['config_id', 'version'])
        .execute();

      await db.schema
        .createTable('feedback')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('trace_id', 'text', (column) => column.notNull())
        .addColumn('value', 'integer', (column) => column.notNull())
        .addColumn('weight', engine === 'postgres' ? 'double precision' : 'real', (column) =>
          column.notNull(),
        )
        .addColumn('metadata', 'text')
        .addColumn('tenant', 'text', (column) => column.notNull())
        .addColumn('gateway_key_id', 'text')
        .addColumn('created_at', time, (column) => column.notNull())
        .addColumn('updated_at', time, (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('feedback_tenant_trace')
        .on('feedback')
        .columns(['tenant', 'trace_id'])
        .execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('id', engine === 'postgres' ? 'bigserial' : 'integer', (column) =>
          engine === 'postgres' ? column.primaryKey() : column.primaryKey().autoIncrement(),
        )
        .addColumn('at', time, (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('action', 'text', (column) => column.notNull())
        .addColumn('entity', 'text', (column) => column.notNull())
        .addColumn('entity_id', 'text', (column) => column.notNull())
        .addColumn('before', 'text')
        .addColumn('after', 'text')
        .execute();
      await db.schema
        .createIndex('audit_log_entity')
        .on('audit_log')
        .columns(['entity', 'entity_id'])
        .execute();
      await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
    },
  };
}
