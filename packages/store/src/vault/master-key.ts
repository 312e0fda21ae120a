import { randomBytes } from 'node:crypto';
import { chmod, link, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathVariableProblem } from '../database/path-variable.js';
import { StoreStartError } from '../errors.js';

/** The file the embedded default keeps its generated master key in, inside the data directory. */
export const MASTER_KEY_FILE = 'master.key';

/** Where the master keys came from, for messages (never the keys). */
export type MasterKeySource = 'PK_MASTER_KEY' | `env:${string}` | `file:${string}` | `generated:${string}`;

/** A parsed key ring and where it came from. */
export interface MasterKeyRing {
  readonly keys: readonly Buffer[];
  readonly source: MasterKeySource;
  /** True when this call created the key file (the caller warns: back it up). */
  readonly generated: boolean;
}

/**
 * Parses a key ring: base64 keys of 32 bytes each, separated by commas, newest first. Messages
 * name a key by its position, never by its value.
 */
export function parseMasterKeys(text: string, source: string): Buffer[] {
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) throw new StoreStartError(`${source} holds no master key`);
  return parts.map((part, index) => {
    const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(part) ? Buffer.from(part, 'base64') : Buffer.alloc(0);
    if (key.byteLength !== 32) {
      throw new StoreStartError(
        `${source}: key ${index + 1} is not 32 bytes of base64 (generate one with: openssl rand -base64 32)`,
      );
    }
    return key;
  });
}

/** A new master key, base64. */
export function generateMasterKey(): string {
  return randomBytes(32).toString('base64');
}

/**
 * Reads the key ring named by `PK_MASTER_KEY`: `env:NAME` (another variable), `file:PATH` (a file,
 * e.g. a mounted secret), or the keys themselves. Without it: required with PostgreSQL; with the
 * embedded SQLite default, the key in `<dataDir>/master.key`, generated with mode 0600 on first
 * start (unless the database already holds encrypted values: a lost key file is not replaced).
 */
export async function resolveMasterKeys(options: {
  readonly value: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly dataDir: string;
  readonly engine: 'sqlite' | 'postgres';
  /** True when the database already holds values encrypted under some master key. */
  readonly databaseHasSecrets: boolean;
}): Promise<MasterKeyRing> {
  // Surrounding whitespace and a secret file's newline are taken off (decision 0007), so ` env:NAME`
  // is a reference, not a key that is "not 32 bytes of base64".
  const value = options.value?.trim();
  if (value !== undefined && value !== '') {
    if (value.startsWith('env:')) {
      const name = value.slice(4);
      const text = options.env[name];
      if (text === undefined || text === '')
        throw new StoreStartError(`PK_MASTER_KEY names the variable ${name}, which is not set`);
      return {
        keys: parseMasterKeys(text, `PK_MASTER_KEY (env:${name})`),
        source: `env:${name}`,
        generated: false,
      };
    }
    if (value.startsWith('file:')) {
      const path = value.slice(5);
      const problem = pathVariableProblem('PK_MASTER_KEY (file:)', path);
      if (problem !== undefined) throw new StoreStartError(problem);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        throw new StoreStartError(
          `PK_MASTER_KEY names the file ${path}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
      return {
        keys: parseMasterKeys(text, `PK_MASTER_KEY (file:${path})`),
        source: `file:${path}`,
        generated: false,
      };
    }
    return { keys: parseMasterKeys(value, 'PK_MASTER_KEY'), source: 'PK_MASTER_KEY', generated: false };
  }
  if (options.engine === 'postgres') {
    throw new StoreStartError(
      'PK_MASTER_KEY is required with PK_DATABASE_URL: every replica must encrypt provider secrets with the same key. ' +
        'Generate one with `openssl rand -base64 32` and give it to every replica (PK_MASTER_KEY=file:/run/secrets/pk-master-key).',
    );
  }
  const path = join(options.dataDir, MASTER_KEY_FILE);
  const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new StoreStartError(`cannot read the master key file ${path} (${error.code ?? 'error'})`);
  });
  if (existing !== undefined) {
    return { keys: parseMasterKeys(existing, path), source: `generated:${path}`, generated: false };
  }
  if (options.databaseHasSecrets) {
    throw new StoreStartError(
      `the master key file ${path} is missing, but the database holds secrets encrypted with a master key: ` +
        'restore master.key from your backup, or set PK_MASTER_KEY to the key.',
    );
  }
  return { ...(await createKeyFile(path)), source: `generated:${path}` };
}

/**
 * Writes a new key to `path` with mode 0600, atomically: written to a temporary file, then linked
 * into place, which fails if another process got there first (its key is then read instead).
 */
async function createKeyFile(path: string): Promise<{ keys: Buffer[]; generated: boolean }> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const key = generateMasterKey();
  await writeFile(temporary, `${key}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(temporary, 0o600);
  try {
    await link(temporary, path);
    return { keys: parseMasterKeys(key, path), generated: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { keys: parseMasterKeys(await readFile(path, 'utf8'), path), generated: false };
  } finally {
    await rm(temporary, { force: true });
  }
}
