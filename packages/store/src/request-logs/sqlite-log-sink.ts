import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import {
  filterMetadataKeys,
  LOG_COLUMNS,
  logRowValues,
  type RequestLogInput,
  storedMetadataOf,
} from './log-record.js';
import type { LogSink } from './log-writer.js';

const METADATA_COLUMNS = ['log_id', 'tenant', 'key', 'value', 'created_at'] as const;

// The writer thread: its own better-sqlite3 connection to the store's file (WAL: the gateway's
// reads never wait for it), one transaction per batch, multi-row inserts of prepared statements
// cached by row count. After a failure the connection is closed and opened again at the next
// batch, so a file made writable again (or a disk with room again) is used without a restart. Each
// batch first checks that the file is still writable (one access(2) call): an open descriptor would
// go on writing to a file the operator made read-only.
// An eval'd script (CommonJS) rather than a file: it runs the same from sources and from dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { accessSync, constants, statSync } = require('node:fs');
const Database = require(workerData.driver);
const LOG_ROWS_PER_INSERT = 200;
const METADATA_ROWS_PER_INSERT = 1000;
let db;
let statements = new Map();
function open() {
  db = new Database(workerData.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
}
function statement(table, columns, rows) {
  const key = table + ':' + rows;
  let prepared = statements.get(key);
  if (prepared === undefined) {
    const tuple = '(' + columns.map(() => '?').join(',') + ')';
    // Idempotent: a batch retried after a write that did commit (a lost reply) adds nothing twice.
    // 'or ignore' rather than 'on conflict do nothing': no row of it can abort the statement, so
    // SQLite keeps no statement journal (a copy of every page the insert touches, a tenth of this
    // thread's time per record), and a row that breaks a constraint (a NaN latency binds as null)
    // is skipped instead of failing its whole batch at every retry.
    prepared = db.prepare('insert or ignore into ' + table + ' (' + columns.join(',') + ') values ' + new Array(rows).fill(tuple).join(','));
    statements.set(key, prepared);
  }
  return prepared;
}
// The rows' values copied into one parameter array per statement (reused while the row count is
// the same): Array#flat over slices cost more than the inserts' own binding. Full inserts of
// perInsert rows, then the rest in power-of-two pieces (117 = 64 + 32 + 16 + 4 + 1): at most ~10
// prepared statements per table. One statement per distinct row count grew the thread by ~0.2 MiB
// per count seen (~60 MiB for the 199 counts of the log table alone).
function insertAll(table, columns, rows, perInsert) {
  const width = columns.length;
  let params = [];
  for (let start = 0, count = 0; start < rows.length; start += count) {
    const left = rows.length - start;
    count = left >= perInsert ? perInsert : 2 ** Math.floor(Math.log2(left));
    if (params.length !== count * width) params = new Array(count * width);
    let at = 0;
    for (let index = start; index < start + count; index += 1) {
      const row = rows[index];
      for (let column = 0; column < width; column += 1) params[at++] = row[column];
    }
    statement(table, columns, count).run(params);
  }
}
function deleteBefore(before, limit) {
  const ids = db.prepare('select id from request_logs where created_at < ? limit ?').pluck().all(before, limit);
  if (ids.length === 0) return 0;
  db.transaction(() => {
    for (let start = 0; start < ids.length; start += 500) {
      const chunk = ids.slice(start, start + 500);
      const marks = chunk.map(() => '?').join(',');
      db.prepare('delete from request_log_metadata where log_id in (' + marks + ')').run(chunk);
      db.prepare('delete from request_logs where id in (' + marks + ')').run(chunk);
    }
  })();
  return ids.length;
}
parentPort.on('message', (message) => {
  try {
    if (message.type === 'close') {
      if (db) db.close();
      parentPort.postMessage({ id: message.id, ok: true });
      parentPort.close();
      return;
    }
    if (db === undefined) open();
    if (message.type === 'write') {
      // An open descriptor keeps writing to a file made read-only (and root ignores the mode):
      // look, once per batch.
      accessSync(workerData.path, constants.W_OK);
      if ((statSync(workerData.path).mode & 0o222) === 0) throw new Error('the SQLite file is read-only');
      db.transaction(() => {
        insertAll('request_logs', workerData.logColumns, message.logs, LOG_ROWS_PER_INSERT);
        if (message.metadata.length > 0)
          insertAll('request_log_metadata', workerData.metadataColumns, message.metadata, METADATA_ROWS_PER_INSERT);
      })();
      parentPort.postMessage({ id: message.id, ok: true });
    } else if (message.type === 'delete') {
      parentPort.postMessage({ id: message.id, ok: true, count: deleteBefore(message.before, message.limit) });
    }
  } catch (error) {
    try { if (db) db.close(); } catch {}
    db = undefined;
    statements = new Map();
    parentPort.postMessage({ id: message.id, ok: false, error: String(error && error.message || error) });
  }
});
`;

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly count?: number;
  readonly error?: string;
}

/** Options of {@link SqliteLogSink}. */
export interface SqliteLogSinkOptions {
  /**
   * The writer thread is stopped after this many ms without a batch (default 30 s) and started again
   * by the next one: an idle gateway holds no second V8 isolate (~9 MiB resident).
   */
  readonly idleStopMs?: number;
}

/** A record as the SQLite sink queues it: its log row's values and its metadata rows. */
export type SqliteLogItem = readonly [row: unknown[], metadata: unknown[][] | undefined];

/**
 * The SQLite log sink: batches go to a worker thread (better-sqlite3 is synchronous; the gateway's
 * event loop never waits for a write). Rows are built here (JSON of metadata and attempts), the
 * inserts run there. The thread starts with the first batch (not when the gateway starts) and stops
 * when no batch came for `idleStopMs`.
 */
export class SqliteLogSink implements LogSink<SqliteLogItem> {
  readonly #path: string;
  readonly #idleStopMs: number;
  #worker: Worker | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #pending = new Map<number, { resolve: (reply: Reply) => void }>();
  #nextId = 0;

  constructor(path: string, options: SqliteLogSinkOptions = {}) {
    this.#path = path;
    this.#idleStopMs = options.idleStopMs ?? 30_000;
  }

  /** Whether the writer thread is running (tests). */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  #start(): Worker {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        path: this.#path,
        driver,
        logColumns: LOG_COLUMNS,
        metadataColumns: METADATA_COLUMNS,
      },
    });
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const waiter = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      waiter?.resolve(reply);
      this.#armIdleStop();
    });
    worker.on('error', (error) => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const waiter of this.#pending.values())
        waiter.resolve({ id: -1, ok: false, error: error.message });
      this.#pending.clear();
    });
    return worker;
  }

  #armIdleStop(): void {
    if (this.#pending.size > 0 || this.#worker === undefined) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#pending.size === 0 && this.#worker !== undefined) void this.#stop();
    }, this.#idleStopMs);
    this.#idleTimer.unref();
  }

  async #stop(): Promise<void> {
    const worker = this.#worker;
    if (worker === undefined) return;
    // Taken out first: a batch sent from now on starts a new thread, never reaches a closing one.
    this.#worker = undefined;
    await this.#post(worker, { type: 'close' });
    await worker.terminate().catch(() => undefined);
  }

  #send(message: Record<string, unknown>): Promise<Reply> {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#worker ??= this.#start();
    return this.#post(this.#worker, message);
  }

  #post(worker: Worker, message: Record<string, unknown>): Promise<Reply> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, { resolve });
      worker.postMessage({ ...message, id });
    });
  }

  encode(record: RequestLogInput): SqliteLogItem {
    const stored = storedMetadataOf(record.metadata);
    const row = logRowValues(record, stored);
    if (stored === undefined) return [row, undefined];
    const keys = filterMetadataKeys(stored);
    if (keys.length === 0) return [row, undefined];
    return [row, keys.map((key) => [record.id, record.tenant, key, stored[key], row[1]])];
  }

  async write(items: readonly SqliteLogItem[]): Promise<void> {
    const logs: unknown[][] = [];
    const metadata: unknown[][] = [];
    for (const [row, rows] of items) {
      logs.push(row);
      if (rows !== undefined) for (const entry of rows) metadata.push(entry);
    }
    const reply = await this.#send({ type: 'write', logs, metadata });
    if (!reply.ok) throw new Error(reply.error ?? 'the SQLite log writer failed');
  }

  async deleteBefore(before: number, limit: number): Promise<number> {
    const reply = await this.#send({ type: 'delete', before, limit });
    if (!reply.ok) throw new Error(reply.error ?? 'the SQLite log writer failed');
    return reply.count ?? 0;
  }

  async close(): Promise<void> {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    await this.#stop();
  }
}
