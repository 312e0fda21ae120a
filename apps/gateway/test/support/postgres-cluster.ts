import { execFile, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { freePort } from './redis-server.js';

const run = promisify(execFile);

/** A PostgreSQL cluster a test made of its own (Debian's `pg_createcluster`), to stop and start at will. */
export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/pk`: trust auth, the database `pk`. */
  readonly url: string;
  readonly port: number;
  /** `pg_ctlcluster … stop -m <mode>`: `fast` ends sessions and checkpoints, `immediate` is a crash. */
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Runs one SQL statement in `pk` with `psql`: its rows, `|`-separated columns. */
  query(sql: string): Promise<string[][]>;
  /** Stops and removes the cluster (its data directory and configuration). */
  drop(): Promise<void>;
}

/** The newest PostgreSQL major version Debian's wrappers can create a cluster of, if any. */
function newestVersion(): string | undefined {
  try {
    return readdirSync('/usr/lib/postgresql')
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a))[0];
  } catch {
    return undefined;
  }
}

/**
 * Why a private cluster cannot be made here, or undefined when it can: `pg_createcluster` and `psql`
 * on the PATH, a PostgreSQL under /usr/lib/postgresql, and root (the wrappers run the server as the
 * `postgres` user).
 */
export function postgresClusterUnavailable(): string | undefined {
  // `pg_createcluster --help` exits 1: its absence is what tells.
  if (spawnSync('pg_createcluster', ['--help']).error !== undefined) return 'no pg_createcluster on PATH';
  if (spawnSync('psql', ['--version']).status !== 0) return 'no psql on PATH';
  if (newestVersion() === undefined) return 'no PostgreSQL under /usr/lib/postgresql';
  if (process.getuid?.() !== 0) return 'pg_createcluster needs root';
  return undefined;
}

/** Creates and starts a cluster on a free port with trust auth and a database `pk`. */
export async function startPostgresCluster(name: string): Promise<PostgresCluster> {
  const version = newestVersion() as string;
  const port = await freePort();
  const ctl = (...args: string[]) => run('pg_ctlcluster', [version, name, ...args]);
  const psql = (database: string, sql: string) =>
    run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-AtX', '-c', sql]);
  await run('pg_createcluster', [version, name, '-p', String(port), '--start', '--', '--auth=trust']);
  const cluster: PostgresCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/pk`,
    port,
    stop: async (mode) => {
      await ctl('stop', '-m', mode);
    },
    start: async () => {
      await ctl('start');
    },
    query: async (sql) => {
      const { stdout } = await psql('pk', sql);
      return stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.split('|'));
    },
    drop: async () => {
      await run('pg_dropcluster', [version, name, '--stop']);
    },
  };
  try {
    await psql('postgres', 'create database pk');
  } catch (error) {
    await cluster.drop().catch(() => undefined);
    throw error;
  }
  return cluster;
}
