import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { generateMasterKey, type OpenStoreOptions, openStore, type Store } from '../../src/index.js';
import { createTemporaryDatabase, requirePostgres } from '../../src/testing/index.js';

/** One engine's fresh, empty store location for a test, and how to remove it. */
export interface EngineFixture {
  /** What `openStore` needs to reach this location (no master key for SQLite: it is generated). */
  readonly options: OpenStoreOptions;
  /** The SQLite file's directory, for SQLite. */
  readonly dataDir: string;
  open(extra?: OpenStoreOptions): Promise<Store>;
  cleanup(): Promise<void>;
}

/** The engines every store test runs on: SQLite always, PostgreSQL when it answers (always in CI). */
export const postgresUp = await requirePostgres('@pk/store');

export const ENGINES = ['sqlite', 'postgres'] as const;
export type EngineName = (typeof ENGINES)[number];

/** A fresh location: a temporary data directory, plus a temporary database for PostgreSQL. */
export async function createFixture(engine: EngineName): Promise<EngineFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), `pk-store-${engine}-`));
  const database = engine === 'postgres' ? await createTemporaryDatabase() : undefined;
  const options: OpenStoreOptions = {
    dataDir,
    pollIntervalMs: 100,
    onWarning: () => undefined,
    ...(database ? { databaseUrl: database.url, masterKey: generateMasterKey() } : {}),
  };
  const opened: Store[] = [];
  return {
    options,
    dataDir,
    open: async (extra = {}) => {
      const store = await openStore({ ...options, ...extra });
      opened.push(store);
      return store;
    },
    cleanup: async () => {
      for (const store of opened) await store.close().catch(() => undefined);
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every 10 ms until it holds; returns how long that took (ms), or throws after `timeoutMs`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A fresh store for each test of an engine's suite: a new location, opened before the test (a
 * PostgreSQL test is skipped when PostgreSQL is down) and removed after it. `opened` receives each
 * test's store; the returned holder's `fixture` is the current test's (to open it a second time).
 */
export function freshStoreForEachTest(
  engine: EngineName,
  opened: (store: Store) => void,
): { readonly fixture: EngineFixture } {
  let current: EngineFixture | undefined;
  beforeEach(async (context) => {
    if (engine === 'postgres' && !postgresUp) context.skip();
    current = await createFixture(engine);
    opened(await current.open());
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return {
    get fixture(): EngineFixture {
      if (current === undefined) throw new Error('a store fixture exists only while a test runs');
      return current;
    },
  };
}
