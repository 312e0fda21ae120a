import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import type { Database, Engine } from '../database/schema.js';
import { StoreStartError } from '../errors.js';
import { initialMigration } from './0001-initial.js';
import { adminApiMigration } from './0002-admin-api.js';
import { requestLogsMigration } from './0003-request-logs.js';
import { consoleSessionsMigration } from './0004-console-sessions.js';
import { requestLogWriteCostMigration } from './0005-request-log-write-cost.js';
import { requestLogTenantIndexesMigration } from './0006-request-log-tenant-indexes.js';
import { integrationsMigration } from './0007-integrations.js';
import { promptsMigration } from './0008-prompts.js';
import { promptPartialsMigration } from './0009-prompt-partials.js';
import { requestLogPromptMigration } from './0010-request-log-prompt.js';
import { logExportsMigration } from './0011-log-exports.js';
import { promptLabelsMigration } from './0012-prompt-labels.js';
import { feedbackTimeMigration } from './0013-feedback-time.js';
import { promptCollectionsMigration } from './0014-prompt-collections.js';
import { logExportRunsMigration } from './0015-log-export-runs.js';
import { requestLogPathMigration } from './0016-request-log-path.js';
import { limitSpendMigration } from './0017-limit-spend.js';
import { requestLogGuardrailsAndErrorMigration } from './0018-request-log-guardrails-and-error.js';
import { guardrailSecretsMigration } from './0019-guardrail-secrets.js';
import { limitSpendFromLogsMigration } from './0020-limit-spend-from-logs.js';
import { virtualKeyDisabledMigration } from './0021-virtual-key-disabled.js';
import { requestLogCostSourceMigration } from './0022-request-log-cost-source.js';
import { limitSpendSpillsMigration } from './0023-limit-spend-spills.js';

/** The table Kysely records applied migrations in (and its lock table). */
export const MIGRATION_TABLE = 'pk_migrations';
const MIGRATION_LOCK_TABLE = 'pk_migrations_lock';

/**
 * Every migration this version knows, in order. One history for both engines: a migration that
 * differs between them branches on `engine` inside. Append only; never edit a released one.
 */
export function migrationsFor(engine: Engine): Record<string, Migration> {
  return {
    '0001-initial': initialMigration(engine),
    '0002-admin-api': adminApiMigration(engine),
    '0003-request-logs': requestLogsMigration(engine),
    '0004-console-sessions': consoleSessionsMigration(engine),
    '0005-request-log-write-cost': requestLogWriteCostMigration(),
    '0006-request-log-tenant-indexes': requestLogTenantIndexesMigration(),
    '0007-integrations': integrationsMigration(engine),
    '0008-prompts': promptsMigration(engine),
    '0009-prompt-partials': promptPartialsMigration(engine),
    '0010-request-log-prompt': requestLogPromptMigration(),
    '0011-log-exports': logExportsMigration(engine),
    '0012-prompt-labels': promptLabelsMigration(engine),
    '0013-feedback-time': feedbackTimeMigration(),
    '0014-prompt-collections': promptCollectionsMigration(engine),
    '0015-log-export-runs': logExportRunsMigration(),
    '0016-request-log-path': requestLogPathMigration(),
    '0017-limit-spend': limitSpendMigration(engine),
    '0018-request-log-guardrails-and-error': requestLogGuardrailsAndErrorMigration(),
    '0019-guardrail-secrets': guardrailSecretsMigration(engine),
    '0020-limit-spend-from-logs': limitSpendFromLogsMigration(),
    '0021-virtual-key-disabled': virtualKeyDisabledMigration(engine),
    '0022-request-log-cost-source': requestLogCostSourceMigration(),
    '0023-limit-spend-spills': limitSpendSpillsMigration(engine),
  };
}

/** Names of the migrations already applied to the database (empty for a new one). */
async function appliedMigrations(db: Kysely<Database>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((table) => table.name === MIGRATION_TABLE)) return [];
  const result = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(db);
  return result.rows.map((row) => row.name);
}

/**
 * Brings the schema up to date, idempotently. Replicas starting together migrate once: on
 * PostgreSQL Kysely holds an advisory lock and runs every pending migration in one transaction; on
 * SQLite the run is one `BEGIN IMMEDIATE` transaction (see `sqlite-dialect.ts`), so a second process
 * waits and then finds nothing to do. A database migrated by a newer pk is refused (rolling
 * upgrades: a new version migrates, old replicas keep running until replaced, but an old one never
 * starts against the new schema).
 */
export async function migrateToLatest(db: Kysely<Database>, engine: Engine): Promise<string[]> {
  const migrations = migrationsFor(engine);
  const known = Object.keys(migrations).sort();
  const applied = await appliedMigrations(db);
  const unknown = applied.filter((name) => !known.includes(name)).sort();
  if (unknown.length > 0) throw schemaTooNew(unknown, known);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    // Another process may have applied a newer migration between the check and the lock.
    const again = (await appliedMigrations(db)).filter((name) => !known.includes(name)).sort();
    if (again.length > 0) throw schemaTooNew(again, known);
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new StoreStartError(
      `database migration ${failed ?? ''} failed: ${(error as Error).message}`.replace('  ', ' '),
      { cause: error },
    );
  }
  return (results ?? [])
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
}

function schemaTooNew(unknown: readonly string[], known: readonly string[]): StoreStartError {
  return new StoreStartError(
    `the database schema is newer than this version of pk: it has migration ${unknown.join(', ')}, ` +
      `and this version knows migrations up to ${known.at(-1)}. Upgrade pk (a newer replica migrated it); ` +
      'an older version never runs against a newer schema.',
  );
}
