import { randomBytes } from 'node:crypto';

/** The PostgreSQL the tests use: this machine's, trust auth, database `test`. */
export const DEFAULT_TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A database made for one test run: its URL, and `drop()` to remove it. */
export interface TemporaryDatabase {
  readonly url: string;
  readonly name: string;
  /**
   * Makes the server refuse connections to the database (and ends its sessions), or take them
   * again: an operator's `ALTER DATABASE … ALLOW_CONNECTIONS false` during a maintenance or a
   * failover. A refused connection fails with SQLSTATE 55000, an ended session with 57P01.
   */
  allowConnections(allowed: boolean): Promise<void>;
  drop(): Promise<void>;
}

async function adminClient(url: string) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Whether the PostgreSQL at `url` answers. */
export async function postgresAvailable(url = DEFAULT_TEST_POSTGRES_URL): Promise<boolean> {
  try {
    const client = await adminClient(url);
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a suite that needs PostgreSQL should run: true when it answers; when it does not, throws
 * with `CI=true` and otherwise prints a skip message and returns false.
 */
export async function requirePostgres(suite: string, url = DEFAULT_TEST_POSTGRES_URL): Promise<boolean> {
  if (await postgresAvailable(url)) return true;
  if (process.env.CI === 'true')
    throw new Error(`${suite}: PostgreSQL at ${url} is unreachable (CI=true makes this a failure)`);
  console.warn(`${suite}: skipped, PostgreSQL at ${url} is unreachable`);
  return false;
}

/**
 * Creates a database with a random name on the server of `url` (other test runs share the server),
 * and returns its URL. `drop()` removes it, disconnecting whoever is still connected.
 */
export async function createTemporaryDatabase(url = DEFAULT_TEST_POSTGRES_URL): Promise<TemporaryDatabase> {
  const name = `pk_test_${randomBytes(6).toString('hex')}`;
  const client = await adminClient(url);
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const databaseUrl = new URL(url);
  databaseUrl.pathname = `/${name}`;
  return {
    url: databaseUrl.toString(),
    name,
    allowConnections: async (allowed) => {
      const admin = await adminClient(url);
      try {
        await admin.query(`alter database ${name} allow_connections ${allowed}`);
        if (!allowed)
          await admin.query(
            'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
            [name],
          );
      } finally {
        await admin.end();
      }
    },
    drop: async () => {
      const admin = await adminClient(url);
      try {
        await admin.query(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}
