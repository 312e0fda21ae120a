import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
    // The folder's own mkdir says EROFS (Node's recursive mkdir said ENOENT, as for a missing parent).
    await expect(openStore({ dataDir: join(parent, 'data'), onWarning: () => undefined })).rejects.toThrow(
      /cannot create the data directory .*\/data \(PK_DATA_DIR\): EROFS; its parent folder is not writable or does not exist: create it, make it writable/,
    );
  });
});

// A parent that exists but cannot hold the folder: mkdir answers ENOENT, and Node's recursive mkdir
// "created" the parent (EEXIST) and tried again, for ever. procfs (Linux) and a dangling link.
describe('a data directory under a folder that cannot hold it', () => {
  it.runIf(existsSync('/proc/self'))(
    'is refused under /proc, not waited for for ever',
    async () => {
      await expect(
        openStore({ dataDir: '/proc/pk-no-such/data', onWarning: () => undefined }),
      ).rejects.toThrow(
        /^cannot create the data directory \/proc\/pk-no-such\/data \(PK_DATA_DIR\): ENOENT; /,
      );
    },
    5000,
  );

  it('is refused under a dangling symbolic link', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'pk-dangling-'));
    try {
      symlinkSync(join(parent, 'unmounted'), join(parent, 'volume'));
      const dataDir = join(parent, 'volume', 'data');
      await expect(openStore({ dataDir, onWarning: () => undefined })).rejects.toThrow(
        `cannot create the data directory ${dataDir} (PK_DATA_DIR): ENOENT`,
      );
      expect(readdirSync(parent)).toEqual(['volume']);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }, 5000);
});

describe('a data directory that is a file', () => {
  it('is said to be a file, not a folder to create or make writable', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'pk-data-file-'));
    try {
      const file = join(parent, 'pk-data');
      writeFileSync(file, 'not a folder');
      for (const dataDir of [file, join(file, 'inner')]) {
        await expect(openStore({ dataDir, onWarning: () => undefined })).rejects.toThrow(
          `the data directory ${dataDir} (PK_DATA_DIR) cannot be made: ${file} is a file, not a folder; set PK_DATA_DIR to a folder`,
        );
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
