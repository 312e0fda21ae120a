import type { ParseConfigOptions } from '@pk/config';
import type { Kysely, Transaction } from 'kysely';
import type { SettingsRecords } from '../catalog/catalog.js';
import type { Database, Engine } from '../database/schema.js';
import { StoreError } from '../errors.js';
import type { Vault } from '../vault/vault.js';

/**
 * Who made a change, as the audit log records it: `key:<gateway key id>` for a call through the
 * admin API, `cli` for the `pk` CLI, `system` for the store itself.
 */
export type Actor = string;

/** What every repository shares. */
export interface StoreContext {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly vault: Vault;
  /** The settings file's records (read-only), or none. */
  readonly settings: SettingsRecords | undefined;
  /** How saved configs are validated (the operator's trusted custom hosts). */
  readonly parseOptions: ParseConfigOptions;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** Called after every committed change: brings this process's snapshot up to date. */
  readonly afterWrite: () => Promise<void>;
}

/**
 * What a write's caller checked before it, beyond the record it writes: `checkedAt` is the version
 * of the catalog snapshot (`CatalogSnapshot.version`) its checks of other records read (that a
 * config's virtual keys exist, that no config names a key being deleted). The write is refused as
 * stale ({@link isStaleCheck}) when any other change was committed after that version, so a check
 * and its write act as one: two replicas deleting a key and saving a config naming it at the same
 * instant cannot both pass. The caller reloads its snapshot and checks again.
 */
export interface WriteBasis {
  readonly checkedAt?: number;
}

const STALE_CHECK_MESSAGE = 'another change was saved while this one was being checked; try again';

/** Whether `error` is a write refused because its checks read a snapshot older than the database. */
export function isStaleCheck(error: unknown): boolean {
  return error instanceof StoreError && error.stale;
}

/**
 * Runs `change` in one transaction that also bumps the change counter (so every replica reloads
 * its snapshot) and then refreshes this process's snapshot. A failure leaves nothing half-applied.
 *
 * The counter is bumped first, so its row lock makes write transactions take turns across every
 * process sharing the database, as SQLite's `BEGIN IMMEDIATE` does. Without it, two replicas on
 * PostgreSQL (READ COMMITTED) changing one record at once each read it before the other wrote: a
 * virtual key's `note` set through one and its `name` through the other kept only one of them
 * (both answered 200), and two new versions of one config or prompt both took the same number and
 * one failed as a 409 "already exists". Once the lock is held, each statement of `change` reads
 * what earlier transactions committed. Admin writes are rare; the request log, last-used times and
 * limits' spend are written outside this function and never wait for it. With `basis.checkedAt` the
 * write is refused as stale when another change was committed after the caller's checks read the
 * catalog (see {@link WriteBasis}).
 */
export async function writeTransaction<T>(
  context: StoreContext,
  change: (transaction: Transaction<Database>) => Promise<T>,
  basis: WriteBasis = {},
): Promise<T> {
  let result: T;
  try {
    result = await context.db.transaction().execute(async (transaction) => {
      const bumped = await transaction
        .updateTable('pk_state')
        .set((expression) => ({ version: expression('version', '+', 1) }))
        .where('id', '=', 1)
        .returning('version')
        .executeTakeFirstOrThrow();
      if (basis.checkedAt !== undefined && Number(bumped.version) !== basis.checkedAt + 1) {
        throw new StoreError('conflict', STALE_CHECK_MESSAGE, { stale: true });
      }
      return change(transaction);
    });
  } catch (error) {
    throw toStoreError(error);
  }
  await context.afterWrite();
  return result;
}

/** Runs a read, turning database failures into {@link StoreError}s. */
export async function read<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toStoreError(error);
  }
}

/** One audit entry, written in the transaction of the change it records (or alone: an action). */
export async function recordAudit(
  transaction: Kysely<Database> | Transaction<Database>,
  entry: {
    readonly at: number;
    readonly actor: Actor;
    readonly action: string;
    readonly entity: string;
    readonly entityId: string;
    readonly before?: unknown;
    readonly after?: unknown;
  },
): Promise<void> {
  await transaction
    .insertInto('audit_log')
    .values({
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
    })
    .execute();
}

const UNIQUE_VIOLATION = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_READONLY',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_FULL',
  // PostgreSQL's SQLSTATEs of a server that cannot take the statement now, whatever its values:
  // the database refuses connections (`ALLOW_CONNECTIONS false`: 55000), a lock held elsewhere
  // (55P03), a standby that takes no writes during a failover (25006), the transaction lost a
  // race (40001 serialization, 40P01 deadlock: retrying it is the documented answer), a backend
  // ended or cancelled by the server or its operator (57000, 57014 statement timeout or cancel,
  // 57P01 admin shutdown, 57P02 crash shutdown, 57P03 starting up or shutting down, 57P05 idle
  // session timeout), resources (53000, 53100 disk full, 53200 out of memory, 53300 too many
  // connections) and the server's own I/O (58000, 58030). Not 53400 (a statement beyond a
  // configured limit is that statement's fault), nor 57P04 (the database was dropped), nor the
  // data and constraint classes (22, 23): those say "this record is bad".
  '55000',
  '55P03',
  '25006',
  '40001',
  '40P01',
  '57000',
  '57014',
  '57P01',
  '57P02',
  '57P03',
  '57P05',
  '53000',
  '53100',
  '53200',
  '53300',
  '58000',
  '58030',
]);

/**
 * True for errors that mean the database cannot be reached or cannot take a statement right now
 * (the same statement may succeed later), as opposed to a statement or a value it refuses.
 */
export function isUnavailableError(error: unknown): boolean {
  const code = String((error as { code?: unknown } | undefined)?.code ?? '');
  const message = String((error as Error | undefined)?.message ?? '');
  return (
    UNAVAILABLE_CODES.has(code) ||
    code.startsWith('08') ||
    code.startsWith('SQLITE_IOERR') ||
    code.startsWith('SQLITE_READONLY') ||
    // The file cannot be opened (gone, its folder unreadable): it may be put back.
    code === 'SQLITE_CANTOPEN' ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed|The database connection is not open/i.test(
      message,
    )
  );
}

/** Maps a database error to a {@link StoreError}; other errors pass unchanged. */
export function toStoreError(error: unknown): unknown {
  if (error instanceof StoreError) return error;
  const code = String((error as { code?: unknown } | undefined)?.code ?? '');
  if (UNIQUE_VIOLATION.has(code))
    return new StoreError('conflict', 'a record with that id or slug already exists', { cause: error });
  if (isUnavailableError(error))
    return new StoreError('unavailable', 'the database is unavailable; try again', { cause: error });
  // PostgreSQL cannot hold NUL in text, nor take a number beyond a column's range: the value is bad.
  if (code === '22021' || code === '22P05')
    return new StoreError('invalid', 'text cannot hold the NUL character (\\u0000)', { cause: error });
  if (code === '22003')
    return new StoreError('invalid', 'a number is out of the range the database can hold', { cause: error });
  return error;
}

/** JSON text of a value, or null. */
export function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** Parses JSON text written by this store (null stays null). */
export function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** ISO 8601 of a millisecond time, or null. */
export function isoOrNull(time: number | null | undefined): string | null {
  return time === null || time === undefined ? null : new Date(time).toISOString();
}

/** The refusal of a change to a record the settings file manages. */
export function readOnlyError(what: string, id: string, source: string): StoreError {
  return new StoreError(
    'read_only',
    `the ${what} "${id}" is managed by the settings file ${source}; change it there and restart`,
  );
}

/** A record that does not exist. */
export function notFoundError(what: string, id: string): StoreError {
  return new StoreError('not_found', `no ${what} has the id "${id}"`);
}
