import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
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
    // EEXIST or ENOTDIR: a file stands where a folder of the path should be. "Create it, make it
    // writable" would send the operator after permissions.
    const file = code === 'EEXIST' || code === 'ENOTDIR' ? await fileOnPath(dataDir) : undefined;
    if (file !== undefined) {
      throw new StoreStartError(
        `the data directory ${dataDir} (PK_DATA_DIR) cannot be made: ${file} is a file, not a folder; set PK_DATA_DIR to a folder`,
      );
    }
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

/** The nearest thing on `path` (itself or a folder above it) that exists and is not a folder, if any. */
async function fileOnPath(path: string): Promise<string | undefined> {
  let current = resolve(path);
  for (;;) {
    const found = await stat(current).catch(() => undefined);
    if (found !== undefined) return found.isDirectory() ? undefined : current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}
