import { Kysely, PostgresDialect } from 'kysely';
import { StoreStartError } from '../errors.js';
import { describeDatabaseUrl } from './connection-url.js';
import type { Database } from './schema.js';

/** PostgreSQL's type id of `bigint` (int8). */
const INT8_OID = 20;

/**
 * Connects to PostgreSQL and checks that it answers. Times are `bigint` milliseconds: they are
 * read back as numbers (exact up to 2^53, the year 287 396). `onIdleError` receives errors of idle
 * pooled connections (a restarted server); no connection error can end the process.
 */
export async function openPostgres(
  url: string,
  onIdleError: (error: Error) => void,
): Promise<{ db: Kysely<Database> }> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url,
    max: 5,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'pk',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', onIdleError);
  // pg-pool listens for errors of idle clients only: a client checked out for a query whose
  // connection dies would emit an unhandled 'error' and end the process. The query itself still
  // fails (and the pool drops the client), so this listener only has to exist.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new StoreStartError(
      `cannot reach the database at ${describeDatabaseUrl(url)} (PK_DATABASE_URL): ${(error as Error).message || (error as NodeJS.ErrnoException).code}`,
      { cause: error },
    );
  }
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }) };
}
