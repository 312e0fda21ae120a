import { join } from 'node:path';
import { type Kysely, Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createFixture, ENGINES, postgresUp } from '../../test/support/engines.js';
import { openPostgres } from '../database/open-postgres.js';
import { openSqlite } from '../database/open-sqlite.js';
import type { Database } from '../database/schema.js';
import { SQLITE_FILE } from '../open-store.js';
import { MIGRATION_TABLE, migrationsFor } from './migrate.js';

describe.each(ENGINES)('migration 0021 (a virtual key’s disabled_at) on %s', (engine) => {
  it.skipIf(engine === 'postgres' && !postgresUp)(
    'keeps every key stored before it enabled, and served by the gateway’s snapshot',
    async () => {
      const fixture = await createFixture(engine);
      try {
        // The schema as pk before 0021 left it, with a key written then.
        const { db, close } =
          engine === 'postgres'
            ? await (async () => {
                const opened = await openPostgres(fixture.options.databaseUrl as string, () => undefined);
                return { db: opened.db, close: () => opened.db.destroy() };
              })()
            : await (async () => {
                const opened = await openSqlite(join(fixture.dataDir, SQLITE_FILE));
                return { db: opened.db, close: () => opened.db.destroy() };
              })();
        const before = Object.fromEntries(
          Object.entries(migrationsFor(engine)).filter(([name]) => name < '0021'),
        );
        const migrator = new Migrator({
          db,
          provider: { getMigrations: async () => before },
          migrationTableName: MIGRATION_TABLE,
          migrationLockTableName: `${MIGRATION_TABLE}_lock`,
        });
        expect((await migrator.migrateToLatest()).error).toBeUndefined();
        await (db as unknown as Kysely<Record<string, Record<string, unknown>>>)
          .insertInto('virtual_keys')
          .values({
            id: 'old-id',
            slug: 'old-key',
            name: 'Old key',
            note: null,
            provider: 'openai',
            options: '{}',
            models: '[]',
            allowed_hosts: '[]',
            secret: null,
            secret_key_id: null,
            secret_hints: '{}',
            usage_limits: null,
            rate_limits: null,
            expires_at: null,
            created_at: 1,
            updated_at: 1,
            integration_id: null,
          })
          .execute();
        await close();
        // The upgrade: the store migrates to 0021 at open.
        const store = await fixture.open();
        expect((await store.virtualKeys.get('old-key')).disabledAt).toBeNull();
        expect(store.catalog.snapshot.virtualKeys.has('old-key')).toBe(true);
        expect(store.catalog.snapshot.disabledVirtualKeys.size).toBe(0);
        const applied = await (store.db as Kysely<Database>)
          .selectFrom(MIGRATION_TABLE as never)
          .select('name' as never)
          .execute();
        expect(applied.map((row) => (row as { name: string }).name)).toContain('0021-virtual-key-disabled');
      } finally {
        await fixture.cleanup();
      }
    },
  );
});
