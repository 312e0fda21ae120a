import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from './open-store.js';
import { storeExists } from './store-exists.js';
import { createTemporaryDatabase, requirePostgres } from './testing/postgres.js';

const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

describe('storeExists', () => {
  it('SQLite: false for a data directory without pk.db, creating nothing; true once the store is opened', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'pk-store-exists-'));
    try {
      const dataDir = join(parent, 'data');
      expect(await storeExists({ dataDir })).toBe(false);
      expect(existsSync(dataDir)).toBe(false);
      const store = await openStore({ dataDir, onWarning: () => undefined });
      await store.close();
      expect(await storeExists({ dataDir })).toBe(true);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  it('PostgreSQL: false for a database pk never migrated, creating no table; true once it has', async () => {
    if (!(await requirePostgres('storeExists'))) return;
    const database = await createTemporaryDatabase();
    try {
      expect(await storeExists({ databaseUrl: database.url })).toBe(false);
      // Still false: looking created nothing.
      expect(await storeExists({ databaseUrl: database.url })).toBe(false);
      const store = await openStore({ databaseUrl: database.url, masterKey: MASTER_KEY });
      await store.close();
      expect(await storeExists({ databaseUrl: database.url })).toBe(true);
    } finally {
      await database.drop();
    }
  });
});
