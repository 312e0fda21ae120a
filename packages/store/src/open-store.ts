import { join, resolve } from 'node:path';
import type { ParseConfigOptions } from '@pk/config';
import type { Kysely } from 'kysely';
import { type Catalog, createStaticCatalog, type SettingsRecords } from './catalog/catalog.js';
import { LiveCatalog } from './catalog/live-catalog.js';
import { describeDatabaseUrl, describeRefusedDatabaseUrl, isPostgresUrl } from './database/connection-url.js';
import { openPostgres } from './database/open-postgres.js';
import { openSqlite } from './database/open-sqlite.js';
import { pathVariableProblem } from './database/path-variable.js';
import { prepareDataDir } from './database/prepare-data-dir.js';
import type { Database, Engine } from './database/schema.js';
import type { SqliteLockWait } from './database/sqlite-lock-wait.js';
import { StoreStartError } from './errors.js';
import { migrateToLatest } from './migrations/migrate.js';
import { AuditLogRepository } from './repositories/audit-log.js';
import { CollectionRepository } from './repositories/collections.js';
import { ConfigRepository } from './repositories/configs.js';
import { ConsoleSessionRepository } from './repositories/console-sessions.js';
import {
  FeedbackRepository,
  type FeedbackRow,
  feedbackRowOfLine,
  MAX_QUEUED_FEEDBACK,
} from './repositories/feedback.js';
import { GatewayKeyRepository } from './repositories/gateway-keys.js';
import { GuardrailRepository } from './repositories/guardrails.js';
import { IntegrationRepository } from './repositories/integrations.js';
import { KeyUsageRecorder } from './repositories/key-usage.js';
import { LabelRepository } from './repositories/labels.js';
import { type LimitSpendLoss, LimitSpendRecorder } from './repositories/limit-spend.js';
import {
  type LimitSpendSpillRow,
  limitSpendRowOfLine,
  limitSpendSpillRowsOf,
  writeSpilledLimitSpend,
} from './repositories/limit-spend-spill.js';
import { PromptRepository } from './repositories/prompts.js';
import { isUnavailableError, type StoreContext } from './repositories/store-context.js';
import { checkVault, databaseHasSecrets, VaultRepository } from './repositories/vault-state.js';
import { VirtualKeyRepository } from './repositories/virtual-keys.js';
import { LogExportRepository } from './request-logs/log-exports.js';
import { RequestLogRepository } from './request-logs/log-queries.js';
import { assertSqliteWritable, insertLogRows, type LogRowsWritten } from './request-logs/log-rows.js';
import { appendLogSpill, type LogRow, startLogSpillReplay } from './request-logs/log-spill.js';
import type { LogSink } from './request-logs/log-writer.js';
import { PostgresLogSink } from './request-logs/postgres-log-sink.js';
import { SqliteLogSink } from './request-logs/sqlite-log-sink.js';
import { SqliteReadThread } from './request-logs/sqlite-read-thread.js';
import { resolveMasterKeys } from './vault/master-key.js';
import { Vault } from './vault/vault.js';

/** The data directory when `PK_DATA_DIR` is not set: `.pk-data` in the working directory. */
export const DEFAULT_DATA_DIR = '.pk-data';
/** The SQLite file inside the data directory. */
export const SQLITE_FILE = 'pk.db';

/** How to open the store; `server.ts` fills it from the environment. */
export interface OpenStoreOptions {
  /** `PK_DATABASE_URL`: a `postgres://` URL; unset for SQLite in `dataDir`. */
  readonly databaseUrl?: string | undefined;
  /** `PK_DATA_DIR` (default {@link DEFAULT_DATA_DIR}): the SQLite file and the generated master key. */
  readonly dataDir?: string | undefined;
  /** `PK_MASTER_KEY`: `env:NAME`, `file:PATH` or the keys (base64, comma-separated, newest first). */
  readonly masterKey?: string | undefined;
  /** The environment `PK_MASTER_KEY=env:NAME` reads from. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The settings file's records: served too, read-only here; their ids may not be in the database. */
  readonly settings?: SettingsRecords | undefined;
  /** How saved configs are validated (the operator's trusted custom hosts). */
  readonly parseOptions?: ParseConfigOptions;
  /** How often the change counter is polled, ms (default 250). */
  readonly pollIntervalMs?: number;
  /** How often last-used times are written, ms (default 5000). */
  readonly usageFlushMs?: number;
  /** How often limits' settled spend is written, ms (default 1000). */
  readonly limitSpendFlushMs?: number;
  /** Where warnings go (a generated master key, a record left out, the database unavailable). */
  readonly onWarning?: (message: string) => void;
  /** Where losses are told (limits' spend, hooks' feedback `close` could not write): error level; default `onWarning`. */
  readonly onLoss?: (message: string) => void;
  /**
   * Where hooks' feedback the database still refuses at `close` is appended (JSON lines, mode 0600),
   * and replayed from in the background when a serving store opens (the file removed once written);
   * `server.ts` puts it beside the request log's spill file. Without it that feedback is lost, and told.
   */
  readonly feedbackSpillFile?: string | undefined;
  /**
   * Where limits' spend the database still refuses at `close` is appended (JSON lines of subject,
   * day, amounts and an id; mode 0600), and replayed from in the background when a serving store
   * opens: each line added to `limit_spend` once (its id stored in the same transaction), the file
   * removed once written. `server.ts` puts it beside the request log's spill file. Without it that
   * spend is lost, and told.
   */
  readonly limitSpendSpillFile?: string | undefined;
  /** Milliseconds since the epoch (tests). */
  readonly now?: () => number;
  /**
   * Whether to serve requests from this store (default true): load the snapshot, refuse to open when
   * a record cannot be served, and follow changes. A tool that only writes (the `pk` CLI's `init`
   * and `vault rotate`) passes false: no snapshot is loaded, nothing is polled, and a saved config
   * that only the gateway's settings make valid (a trusted custom host) does not stop it.
   */
  readonly serve?: boolean;
}

/** How the store is doing, for health checks and logs. */
export interface StoreStatus {
  readonly engine: Engine;
  /** The SQLite file, or the database URL with its password masked. */
  readonly location: string;
  /** The change counter the snapshot reflects. */
  readonly version: number;
  /** False while the database cannot be reached (requests are served from the last snapshot). */
  readonly available: boolean;
}

/** pk's data store: repositories for changes, and the live catalog for the request path. */
export interface Store {
  readonly engine: Engine;
  /** The data directory, resolved (`PK_DATA_DIR`): the SQLite file, the generated master key, the log's spill file. */
  readonly dataDir: string;
  /** The Kysely instance, for packages that add their own tables to the same migration history. */
  readonly db: Kysely<Database>;
  /**
   * The migrations this open applied (none when the schema was already current) and how long they
   * took: what a start after an upgrade reports.
   */
  readonly migrated: { readonly names: readonly string[]; readonly ms: number };
  /** What the request path serves from, refreshed within a second of any change. */
  readonly catalog: Catalog;
  readonly gatewayKeys: GatewayKeyRepository;
  readonly virtualKeys: VirtualKeyRepository;
  /** Integrations (Portkey's model catalog) and the providers (virtual keys) made from them. */
  readonly integrations: IntegrationRepository;
  readonly configs: ConfigRepository;
  readonly feedback: FeedbackRepository;
  readonly guardrails: GuardrailRepository;
  /**
   * Portkey's prompt library: prompts and their versions. Not in the catalog snapshot: the request
   * path reads a prompt per request through `prompts.resolve`.
   */
  readonly prompts: PromptRepository;
  /** Portkey's prompt partials: templates prompts include (`{{>slug}}`), versioned like prompts. */
  readonly promptPartials: PromptRepository;
  /** Portkey's prompt labels: names that point at one version of each prompt (`slug@staging`). */
  readonly labels: LabelRepository;
  /** Portkey's prompt collections: named folders of prompts (a prompt's `collection_id`). */
  readonly collections: CollectionRepository;
  readonly audit: AuditLogRepository;
  readonly vault: VaultRepository;
  /** Console sign-in sessions (the cookie's token hashed; 12 h). */
  readonly consoleSessions: ConsoleSessionRepository;
  /** Reads of the request log (writes go through a `RequestLogWriter` over {@link openLogSink}). */
  readonly logs: RequestLogRepository;
  /** Log export jobs (Portkey's `/v1/logs/exports`) and the JSONL files they wrote. */
  readonly logExports: LogExportRepository;
  /**
   * A sink for the request log's batched writer: on SQLite a worker thread with its own connection
   * to the file, on PostgreSQL the store's pool. Close it before the store. `onWarning` hears of
   * records a dead writer thread took with it (default standard error).
   */
  openLogSink(options?: { readonly onWarning?: (message: string) => void }): LogSink<unknown>;
  /**
   * Writes whole request log rows (a spill file's, see `startLogSpillReplay`) in one transaction on
   * the store's connection, skipping those whose id is stored already. Rows the database refuses on
   * their own (not for being unreachable) are told to `onRefused` and left out. Resolves how many
   * were inserted and how many refused (the rest were stored already).
   */
  writeLogRows(
    rows: readonly LogRow[],
    onRefused?: (row: LogRow, error: unknown) => void,
  ): Promise<LogRowsWritten>;
  /** Notes that a gateway key authenticated a request (a `Map.set`; written in batches). */
  recordKeyUse(keyId: string, at: number): void;
  /**
   * The settled spend of limited subjects per UTC day (`record` is a `Map` update, written in
   * batches every second), read back to restore budgets' usage at start and on a period change.
   */
  readonly limitSpend: LimitSpendRecorder;
  /** Reloads the snapshot now. */
  refresh(): Promise<void>;
  /**
   * Gives free pages of the SQLite file back to the file system, at most `maxPages` (default 1000)
   * per call (incremental vacuum); for callers that delete many rows (log retention). A no-op on
   * PostgreSQL, whose autovacuum does this.
   */
  reclaimSpace(maxPages?: number): Promise<void>;
  status(): StoreStatus;
  /**
   * Stops polling, writes pending last-used times, hooks' feedback and limits' spend, closes the
   * connections. With `deadlineAt` (ms since the epoch), no wait for another process's SQLite write
   * lock goes past it: what is not written then is lost (spend and feedback are told through `onLoss`).
   */
  close(options?: { readonly deadlineAt?: number }): Promise<void>;
}

function warnEvery(intervalMs: number, warn: (message: string) => void): (message: string) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (message) => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    warn(message);
  };
}

/** Settings-file ids that the database also has: refused, an id names one record. */
async function findCollisions(db: Kysely<Database>, settings: SettingsRecords): Promise<string[]> {
  const collisions: string[] = [];
  const keyIds = settings.gatewayKeys.map((key) => key.id);
  if (keyIds.length > 0) {
    const rows = await db.selectFrom('gateway_keys').select('id').where('id', 'in', keyIds).execute();
    for (const row of rows) collisions.push(`gateway key "${row.id}"`);
  }
  const slugs = settings.virtualKeys.map((key) => key.slug);
  if (slugs.length > 0) {
    const rows = await db.selectFrom('virtual_keys').select('slug').where('slug', 'in', slugs).execute();
    for (const row of rows) collisions.push(`virtual key "${row.slug}"`);
  }
  const configSlugs = settings.configs.map((config) => config.slug);
  if (configSlugs.length > 0) {
    const rows = await db.selectFrom('configs').select('slug').where('slug', 'in', configSlugs).execute();
    for (const row of rows) collisions.push(`saved config "${row.slug}"`);
  }
  const guardrailIds = (settings.guardrails ?? []).map((guardrail) => guardrail.id);
  if (guardrailIds.length > 0) {
    const rows = await db.selectFrom('guardrails').select('slug').where('slug', 'in', guardrailIds).execute();
    for (const row of rows) collisions.push(`guardrail "${row.slug}"`);
  }
  return collisions;
}

/**
 * Opens the store: connects (SQLite in the data directory, created on first start, or PostgreSQL),
 * migrates (once, however many replicas start together; refused against a newer schema), reads the
 * master key ring and proves it fits, loads the first snapshot and starts following changes.
 * Every failure is a {@link StoreStartError} with a message for the operator.
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const warn = options.onWarning ?? ((message: string) => process.stderr.write(`pk store: ${message}\n`));
  const now = options.now ?? Date.now;
  const databaseUrl = options.databaseUrl === '' ? undefined : options.databaseUrl;
  if (databaseUrl !== undefined && !isPostgresUrl(databaseUrl)) {
    throw new StoreStartError(
      `PK_DATABASE_URL must be a postgres:// URL (got ${describeRefusedDatabaseUrl(databaseUrl)}); leave it unset for SQLite in PK_DATA_DIR`,
    );
  }
  const engine: Engine = databaseUrl === undefined ? 'sqlite' : 'postgres';
  const dataDirProblem = options.dataDir ? pathVariableProblem('PK_DATA_DIR', options.dataDir) : undefined;
  if (dataDirProblem !== undefined) throw new StoreStartError(dataDirProblem);
  const dataDir = resolve(options.dataDir || DEFAULT_DATA_DIR);
  const warnUnavailable = warnEvery(10_000, (message) => warn(message));
  // The line naming the database has its own: a writer's warning of the same moment (the limits'
  // spend, written every second) took the shared one, and the outage was told only by its end.
  const warnDatabaseUnavailable = warnEvery(10_000, (message) => warn(message));
  const warnFeedbackDrops = warnEvery(10_000, (message) => warn(message));

  // A given PK_MASTER_KEY (and PostgreSQL's, which is required) is read before anything is created:
  // a misconfigured replica refuses before it touches the shared database (no migration runs), and a
  // gateway refused for its key leaves no data directory or SQLite file behind.
  const givenRing =
    engine === 'postgres' || (options.masterKey !== undefined && options.masterKey !== '')
      ? await resolveMasterKeys({
          value: options.masterKey,
          env: options.env ?? {},
          dataDir,
          engine,
          databaseHasSecrets: true,
        })
      : undefined;

  let db: Kysely<Database>;
  let location: string;
  let reclaimSpace = async (_maxPages: number): Promise<void> => undefined;
  let lockWait: SqliteLockWait | undefined;
  if (databaseUrl === undefined) {
    await prepareDataDir(dataDir);
    location = join(dataDir, SQLITE_FILE);
    const sqlite = await openSqlite(location);
    db = sqlite.db;
    reclaimSpace = sqlite.reclaimSpace;
    lockWait = sqlite.lockWait;
  } else {
    location = describeDatabaseUrl(databaseUrl);
    // An idle pooled connection that breaks needs no warning of its own: the next poll reports it.
    db = (await openPostgres(databaseUrl, () => undefined)).db;
  }

  let migrated: Store['migrated'] = { names: [], ms: 0 };
  try {
    try {
      const startedAt = performance.now();
      const names = await migrateToLatest(db, engine);
      migrated = { names, ms: Math.round(performance.now() - startedAt) };
    } catch (error) {
      if (error instanceof StoreStartError) throw error;
      throw new StoreStartError(`cannot prepare the database at ${location}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const settings = options.settings;
    if (settings) {
      const collisions = await findCollisions(db, settings);
      if (collisions.length > 0) {
        throw new StoreStartError(
          `the settings file ${settings.source} and the database both define ${collisions.join(', ')}; ` +
            'an id names one record: rename or delete one of them',
        );
      }
    }
    const ring =
      givenRing ??
      (await resolveMasterKeys({
        value: options.masterKey,
        env: options.env ?? {},
        dataDir,
        engine,
        databaseHasSecrets: await databaseHasSecrets(db),
      }));
    if (ring.generated) {
      warn(
        `generated a master key in ${ring.source.slice('generated:'.length)} (mode 0600): it encrypts provider secrets. ` +
          'Back it up with the database; without it stored virtual keys cannot be decrypted. Set PK_MASTER_KEY to manage it yourself.',
      );
    }
    const vault = new Vault(ring.keys);
    const sourceName = ring.source.startsWith('generated:')
      ? ring.source.slice('generated:'.length)
      : ring.source;
    await checkVault(db, vault, sourceName);

    const parseOptions = options.parseOptions ?? {};
    const serve = options.serve ?? true;
    let catalog: LiveCatalog | undefined;
    const context: StoreContext = {
      db,
      engine,
      vault,
      settings,
      parseOptions,
      now,
      afterWrite: async () => {
        await catalog?.refresh().catch((error: unknown) => {
          warnUnavailable(`reloading after a change failed (${(error as Error).message}); retrying`);
        });
      },
    };
    if (serve) {
      const opened = await LiveCatalog.open(
        { db, engine, vault, settings, parseOptions, now },
        {
          problem: warn,
          unavailable: (error) =>
            warnDatabaseUnavailable(
              `the database at ${location} is unavailable (${(error as Error).message || (error as NodeJS.ErrnoException).code}); ` +
                'serving requests from the last snapshot',
            ),
          recovered: () => warn(`the database at ${location} answers again`),
        },
      );
      if (opened.problems.length > 0) {
        throw new StoreStartError(
          `refusing to start: ${opened.problems.join('; ')}. Give PK_MASTER_KEY the key ring that encrypted them, or fix the records.`,
        );
      }
      catalog = opened.catalog;
      catalog.startPolling(options.pollIntervalMs ?? 250);
    }
    const usage = new KeyUsageRecorder({
      db,
      engine,
      flushMs: options.usageFlushMs ?? 5000,
      onError: (error) =>
        warnUnavailable(`could not write last-used times (${(error as Error).message}); will retry`),
    });
    const limitSpend = new LimitSpendRecorder({
      db,
      engine,
      flushMs: options.limitSpendFlushMs ?? 1000,
      onError: (error) =>
        warnUnavailable(`could not write limits' spend (${(error as Error).message}); will retry`),
    });
    // Hooks' `on_fail` / `on_success` feedback, queued off the request path and written every second.
    const feedback = new FeedbackRepository(context, {
      onError: (error) =>
        warnUnavailable(`could not write hooks' feedback (${(error as Error).message}); will retry`),
      onDropped: (dropped) =>
        warnFeedbackDrops(
          `hooks' feedback dropped: ${MAX_QUEUED_FEEDBACK} pieces wait for the database already (${dropped} dropped since start)`,
        ),
    });
    const feedbackSpillFile = options.feedbackSpillFile;
    const feedbackReplay =
      serve && feedbackSpillFile !== undefined
        ? startLogSpillReplay({
            path: feedbackSpillFile,
            name: "hooks' feedback spill",
            rowOfLine: feedbackRowOfLine,
            write: (rows) => feedback.writeRows(rows as FeedbackRow[]),
            onRecovered: (outcome) =>
              warn(`hooks' feedback spill: ${outcome.recovered} piece(s) recovered into the store`),
            onWarning: warn,
          })
        : undefined;
    const limitSpendSpillFile = options.limitSpendSpillFile;
    const limitSpendReplay =
      serve && limitSpendSpillFile !== undefined
        ? startLogSpillReplay({
            path: limitSpendSpillFile,
            name: "limits' spend spill",
            rowOfLine: limitSpendRowOfLine,
            write: (rows) => writeSpilledLimitSpend(db, rows as LimitSpendSpillRow[], now()),
            onRecovered: (outcome) =>
              warn(
                `limits' spend spill: ${outcome.recovered} subject-day(s) added to the store` +
                  (outcome.alreadyStored > 0 ? `, ${outcome.alreadyStored} added already` : ''),
              ),
            onWarning: warn,
          })
        : undefined;
    const live = catalog;
    const readThread = engine === 'sqlite' ? new SqliteReadThread(location) : undefined;
    const served: Catalog = live ?? createStaticCatalog({ gatewayKeys: [], virtualKeys: [], configs: [] });
    let closed = false;
    const virtualKeys = new VirtualKeyRepository(context);
    return {
      engine,
      dataDir,
      db,
      migrated,
      catalog: served,
      gatewayKeys: new GatewayKeyRepository(context),
      virtualKeys,
      integrations: new IntegrationRepository(context, virtualKeys),
      configs: new ConfigRepository(context),
      feedback,
      guardrails: new GuardrailRepository(context),
      prompts: new PromptRepository(context),
      promptPartials: new PromptRepository(context, 'partial'),
      labels: new LabelRepository(context),
      collections: new CollectionRepository(context),
      audit: new AuditLogRepository(context),
      vault: new VaultRepository(context),
      consoleSessions: new ConsoleSessionRepository(context),
      logs: new RequestLogRepository(db, engine, readThread),
      logExports: new LogExportRepository(context),
      openLogSink: (sinkOptions = {}) =>
        engine === 'sqlite'
          ? new SqliteLogSink(location, sinkOptions)
          : new PostgresLogSink(db, sinkOptions.onWarning),
      writeLogRows: async (rows, onRefused = () => undefined) => {
        if (engine === 'sqlite') await assertSqliteWritable(location);
        return insertLogRows(db, engine, rows, onRefused);
      },
      recordKeyUse: (keyId, at) => usage.record(keyId, at),
      limitSpend,
      refresh: async () => live?.refresh(),
      reclaimSpace: async (maxPages = 1000) => reclaimSpace(maxPages),
      status: () => ({
        engine,
        location,
        version: served.snapshot.version,
        available: !(live?.unavailable ?? false),
      }),
      close: async ({ deadlineAt } = {}) => {
        if (closed) return;
        closed = true;
        if (deadlineAt !== undefined) lockWait?.endBy(deadlineAt);
        await live?.stop();
        await usage.close();
        // Before the queue spills: a replay cut short leaves the file whole for the next start.
        await feedbackReplay?.stop();
        await spillUnwrittenFeedback(await feedback.close(), feedbackSpillFile, {
          warn,
          onLoss: options.onLoss ?? warn,
        });
        await limitSpendReplay?.stop();
        await spillUnwrittenSpend(await limitSpend.close(), limitSpendSpillFile, {
          warn,
          onLoss: options.onLoss ?? warn,
        });
        await readThread?.close();
        await db.destroy();
      },
    };
  } catch (error) {
    await db.destroy().catch(() => undefined);
    if (error instanceof StoreStartError) throw error;
    if (isUnavailableError(error)) {
      throw new StoreStartError(`the database at ${location} is unavailable: ${(error as Error).message}`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** How a close says what it kept in a spill file, or lost. */
interface SpillTeller {
  readonly warn: (message: string) => void;
  readonly onLoss: (message: string) => void;
}

/**
 * Lines the database still refused at close: appended to `file` (replayed at the next start) and
 * said so with `kept`, else told lost through `onLoss` with `lost` (no file, or it could not be
 * written: that is warned first, naming `what`).
 */
async function spillAtClose(
  lines: readonly LogRow[],
  file: string | undefined,
  tell: SpillTeller,
  messages: { readonly what: string; readonly kept: string; readonly lost: string },
): Promise<void> {
  const spilled =
    file !== undefined &&
    (await appendLogSpill(file, lines).then(
      () => true,
      (error: unknown) => {
        tell.warn(`${messages.what} spill ${file} could not be written: ${(error as Error).message}`);
        return false;
      },
    ));
  if (spilled) tell.warn(messages.kept);
  else tell.onLoss(messages.lost);
}

/**
 * Limits' spend the database still refused at close: appended to `file` (added to `limit_spend` at
 * the next start) and said so, else told lost through `onLoss` (no file, or it could not be written).
 */
async function spillUnwrittenSpend(
  lost: LimitSpendLoss,
  file: string | undefined,
  tell: SpillTeller,
): Promise<void> {
  if (lost.entries === 0) return;
  const what =
    `${lost.requests} requests, ${lost.tokens} tokens, ` +
    `${lost.costMicros / 1e6} USD over ${lost.entries} subject-days`;
  await spillAtClose(limitSpendSpillRowsOf(lost.rows), file, tell, {
    what: "limits' spend",
    kept: `limits' spend not written at close (${what}): kept in ${file}, added to the store at the next start`,
    lost: `limits' spend not written at close (${what}): budgets and rate limits stored in the database will not count it`,
  });
}

/**
 * Hooks' feedback the database still refused at close: appended to `file` (replayed at the next
 * start) and said so, else told lost through `onLoss` (no file, or it could not be written).
 */
async function spillUnwrittenFeedback(
  unwritten: readonly FeedbackRow[],
  file: string | undefined,
  tell: SpillTeller,
): Promise<void> {
  if (unwritten.length === 0) return;
  const pieces = `${unwritten.length} ${unwritten.length === 1 ? 'piece' : 'pieces'}`;
  await spillAtClose(unwritten, file, tell, {
    what: "hooks' feedback",
    kept: `hooks' feedback not written at close (${pieces}): kept in ${file}, written to the store at the next start`,
    lost: `hooks' feedback not written at close (${pieces}): the traces will not show it`,
  });
}
