import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { StoreStartError } from '../errors.js';
import { createFolders } from './create-folders.js';

/** What to do about a data directory this process cannot write. */
const WHAT_TO_DO =
  'make it writable by the user the gateway runs as (chown or chmod), or set PK_DATA_DIR to a folder it can write';

/**
 * Creates the data directory (mode 0700) if need be and checks this process can write in it: SQLite
 * creates `pk.db`, its `-wal` and `-shm` files there, the gateway its master key and spill file. A
 * folder that cannot be created or written is refused in words that say so and what to do (SQLite's
 * own "unable to open database file", or ENOENT for a parent that is read-only, said neither).
 */
export async function prepareDataDir(dataDir: string): Promise<void> {
  try {
    await createFolders(dataDir, 0o700);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new StoreStartError(
      `cannot create the data directory ${dataDir} (PK_DATA_DIR): ${code}; ` +
        `${code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOENT' ? 'its parent folder is not writable or does not exist: ' : ''}` +
        `create it, ${WHAT_TO_DO}`,
    );
  }
  try {
    await access(dataDir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new StoreStartError(
      `the data directory ${dataDir} (PK_DATA_DIR) is not writable (${(error as NodeJS.ErrnoException).code ?? 'error'}): ${WHAT_TO_DO}`,
    );
  }
}
