import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../open-store.js';

// A read-only folder as users meet it (a read-only volume): a tmpfs mounted read-only, which root
// cannot write either. Skipped where this process may not mount.
const parent = mkdtempSync(join(tmpdir(), 'pk-readonly-data-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', parent], { stdio: 'ignore' });
  mounted = true;
} catch {
  // Not permitted here.
}
afterAll(() => {
  if (mounted) execFileSync('umount', [parent]);
  rmSync(parent, { recursive: true, force: true });
});

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
