import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreStartError } from '../errors.js';
import { openStore } from '../open-store.js';
import { generateMasterKey, MASTER_KEY_FILE, parseMasterKeys, resolveMasterKeys } from './master-key.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'pk-master-key-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const base = { env: {}, engine: 'sqlite' as const, databaseHasSecrets: false };

describe('parseMasterKeys', () => {
  it('reads comma-separated base64 keys, newest first', () => {
    const [first, second] = [generateMasterKey(), generateMasterKey()];
    const keys = parseMasterKeys(` ${first} , ${second}\n`, 'test');
    expect(keys.map((key) => key.toString('base64'))).toEqual([first, second]);
  });

  it('names a bad key by its position, never by its value', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => parseMasterKeys(`${generateMasterKey()},${short}`, 'PK_MASTER_KEY')).toThrow(
      'PK_MASTER_KEY: key 2 is not 32 bytes of base64',
    );
    try {
      parseMasterKeys(short, 'PK_MASTER_KEY');
    } catch (error) {
      expect((error as Error).message).not.toContain(short);
    }
  });
});

describe('resolveMasterKeys', () => {
  it('generates a key file with mode 0600 on the embedded default, then reuses it', async () => {
    const first = await resolveMasterKeys({ ...base, value: undefined, dataDir });
    expect(first.generated).toBe(true);
    const path = join(dataDir, MASTER_KEY_FILE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const second = await resolveMasterKeys({ ...base, value: undefined, dataDir });
    expect(second.generated).toBe(false);
    expect(second.keys[0]?.equals(first.keys[0] as Buffer)).toBe(true);
  });

  it('gives every process racing on a new data directory the same key', async () => {
    const rings = await Promise.all(
      Array.from({ length: 8 }, () => resolveMasterKeys({ ...base, value: undefined, dataDir })),
    );
    expect(rings.filter((ring) => ring.generated)).toHaveLength(1);
    const text = (await readFile(join(dataDir, MASTER_KEY_FILE), 'utf8')).trim();
    for (const ring of rings) expect(ring.keys[0]?.toString('base64')).toBe(text);
  });

  it('does not replace a lost key file when the database holds secrets', async () => {
    await expect(
      resolveMasterKeys({ ...base, value: undefined, dataDir, databaseHasSecrets: true }),
    ).rejects.toThrow(/master key file .* is missing/);
  });

  it('requires PK_MASTER_KEY with PostgreSQL', async () => {
    await expect(
      resolveMasterKeys({ ...base, value: undefined, dataDir, engine: 'postgres' }),
    ).rejects.toThrow(/PK_MASTER_KEY is required with PK_DATABASE_URL/);
  });

  it('reads env: and file: references and literal keys', async () => {
    const key = generateMasterKey();
    const fromEnv = await resolveMasterKeys({
      ...base,
      value: 'env:MY_KEYS',
      env: { MY_KEYS: key },
      dataDir,
    });
    expect(fromEnv.keys[0]?.toString('base64')).toBe(key);
    const path = join(dataDir, 'key.txt');
    await writeFile(path, `${key}\n`);
    const fromFile = await resolveMasterKeys({ ...base, value: `file:${path}`, dataDir });
    expect(fromFile.source).toBe(`file:${path}`);
    expect((await resolveMasterKeys({ ...base, value: key, dataDir })).keys).toHaveLength(1);
    await expect(resolveMasterKeys({ ...base, value: 'env:MISSING', dataDir })).rejects.toThrow(
      'PK_MASTER_KEY names the variable MISSING, which is not set',
    );
  });

  it('takes surrounding whitespace and a secret file’s newline off the value, as 0007 says of master keys', async () => {
    const key = generateMasterKey();
    for (const value of [' env:MY_KEYS', 'env:MY_KEYS\n', `  ${key}\n`]) {
      const ring = await resolveMasterKeys({ ...base, value, env: { MY_KEYS: key }, dataDir });
      expect(ring.keys[0]?.toString('base64'), JSON.stringify(value)).toBe(key);
    }
    expect(
      (await resolveMasterKeys({ ...base, value: ' env:MY_KEYS', env: { MY_KEYS: key }, dataDir })).source,
    ).toBe('env:MY_KEYS');
  });
});

describe('openStore with a PK_MASTER_KEY it refuses', () => {
  it('refuses it before it creates the data directory, the SQLite file or master.key', async () => {
    const fresh = join(dataDir, 'not-yet');
    for (const masterKey of ['short', 'env:PK_NOT_SET_ANYWHERE', `file:${join(dataDir, 'absent.key')}`]) {
      await expect(openStore({ dataDir: fresh, masterKey, env: {} }), masterKey).rejects.toThrow(
        StoreStartError,
      );
      await expect(stat(fresh), masterKey).rejects.toMatchObject({ code: 'ENOENT' });
    }
  });
});
