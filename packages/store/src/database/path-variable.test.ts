import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../open-store.js';
import { generateMasterKey } from '../vault/master-key.js';

// The working directory of each test is a folder of its own: a path taken literally lands there.
let cwd: string;
let before: string;
beforeEach(() => {
  before = process.cwd();
  cwd = mkdtempSync(join(tmpdir(), 'pk-path-variable-'));
  process.chdir(cwd);
});
afterEach(() => {
  process.chdir(before);
  rmSync(cwd, { recursive: true, force: true });
});

describe('paths in variables as docker compose and Kubernetes pass them', () => {
  it('refuses a PK_DATA_DIR starting with ~ instead of making a folder named ~ in the working directory', async () => {
    await expect(openStore({ dataDir: '~/pk-data', onWarning: () => undefined })).rejects.toThrow(
      'PK_DATA_DIR starts with ~, which only a shell expands (docker compose, Kubernetes and systemd pass it as it is): give the full path, got "~/pk-data"',
    );
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('refuses a PK_DATA_DIR with a line break instead of making a folder with one in its name', async () => {
    const dataDir = join(cwd, 'data\n');
    await expect(openStore({ dataDir, onWarning: () => undefined })).rejects.toThrow(
      `PK_DATA_DIR holds a control character (a line break, a tab …): give the path alone, got ${JSON.stringify(dataDir)}`,
    );
    expect(readdirSync(cwd)).toEqual([]);
  });

  // Decision 0007: quotes are never taken off (a compose env_file keeps `PK_DATA_DIR="/data"` as it
  // is), and the store was made in a folder named `"` in the working directory, not on the volume.
  it('refuses a PK_DATA_DIR in quotes instead of making a folder named " in the working directory', async () => {
    for (const dataDir of ['"/data/pk"', "'/data/pk'"]) {
      await expect(openStore({ dataDir, onWarning: () => undefined })).rejects.toThrow(
        `PK_DATA_DIR is in quotes, which are never taken off (a docker compose env_file keeps them): give the path without them, got ${JSON.stringify(dataDir)}`,
      );
    }
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('refuses PK_MASTER_KEY=file:~/… in words that say why, not as a file that cannot be read', async () => {
    await expect(
      openStore({ dataDir: join(cwd, 'data'), masterKey: 'file:~/pk.key', onWarning: () => undefined }),
    ).rejects.toThrow('PK_MASTER_KEY (file:) starts with ~, which only a shell expands');
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });

  it('shows a PK_DATABASE_URL it refuses quoted, its password hidden: a leading space is seen', async () => {
    for (const [value, shown] of [
      [' postgres://pk:hunter2@db:5432/pk', '" postgres://pk:***@db:5432/pk"'],
      ['"postgres://pk:hunter2@db:5432/pk"', '"\\"postgres://pk:***@db:5432/pk\\""'],
      ['mysql://root:hunter2@db/pk?password=hunter2', '"mysql://root:***@db/pk"'],
      ['mysql://root:hun?ter/2@db/pk', '"mysql://root:***@db/pk"'],
    ] as const) {
      await expect(
        openStore({ databaseUrl: value, masterKey: generateMasterKey(), onWarning: () => undefined }),
      ).rejects.toThrow(
        `PK_DATABASE_URL must be a postgres:// URL (got ${shown}); leave it unset for SQLite in PK_DATA_DIR`,
      );
    }
  });
});
