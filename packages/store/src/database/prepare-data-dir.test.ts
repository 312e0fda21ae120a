import { join } from 'node:path';
import { readOnlyVolume } from '@pk/dev-config/read-only-volume';
import { describe, expect, it } from 'vitest';
import { openStore } from '../open-store.js';

// A read-only folder as users meet it (a read-only volume): a tmpfs mounted read-only, which root
// cannot write either. Skipped where this process may not mount.
const { path: parent, mounted } = readOnlyVolume('pk-readonly-data-');

describe.runIf(mounted)('a data directory this process cannot write', () => {
  it('is refused in words that say it is not writable and what to do, for the folder itself', async () => {
    await expect(openStore({ dataDir: parent, onWarning: () => undefined })).rejects.toThrow(
      `the data directory ${parent} (PK_DATA_DIR) is not writable (EROFS): make it writable by the user the gateway runs as (chown or chmod), or set PK_DATA_DIR to a folder it can write`,
    );
  });

  it('and for a folder to create inside a read-only one', async () => {
    // Node's recursive mkdir says ENOENT on a read-only file system.
    await expect(openStore({ dataDir: join(parent, 'data'), onWarning: () => undefined })).rejects.toThrow(
      /cannot create the data directory .*\/data \(PK_DATA_DIR\): ENOENT; its parent folder is not writable or does not exist: create it, make it writable/,
    );
  });
});
