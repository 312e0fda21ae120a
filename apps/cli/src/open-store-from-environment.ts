import { describeDatabaseUrl, openStore, type Store, StoreStartError } from '@pk/store';
import { CliError, EXIT } from './exit-codes.js';

/**
 * Opens the data store the gateway uses, from the same variables (`PK_DATABASE_URL`, `PK_DATA_DIR`,
 * `PK_MASTER_KEY`), to write to it directly: for `pk init` (no gateway key exists yet to call the
 * API with) and `pk vault rotate` (the master key is not the API's business). The gateway may be
 * running: it sees the change within a second.
 */
export async function openStoreFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  onWarning: (message: string) => void,
): Promise<Store> {
  try {
    return await openStore({
      databaseUrl: env.PK_DATABASE_URL,
      dataDir: env.PK_DATA_DIR,
      masterKey: env.PK_MASTER_KEY,
      env,
      // Write only: no snapshot, no polling; configs valid only with the gateway's settings do not stop it.
      serve: false,
      onWarning,
    });
  } catch (error) {
    if (error instanceof StoreStartError) throw new CliError(error.message, EXIT.failure);
    throw error;
  }
}

/** Where the store is, for messages (a database URL with its password masked). */
export function storeLocationOf(env: Readonly<Record<string, string | undefined>>): string {
  return env.PK_DATABASE_URL
    ? describeDatabaseUrl(env.PK_DATABASE_URL)
    : `the SQLite store in ${env.PK_DATA_DIR || '.pk-data'}`;
}
