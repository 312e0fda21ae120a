import { createRequire } from 'node:module';
import { OnDemandWorker, type WorkerReply } from './on-demand-worker.js';

// The read thread: its own read-only better-sqlite3 connection to the store's file (WAL: it reads
// the last committed state while the writer thread goes on). One message per query; the rows go
// back as plain objects. A failed query closes the connection, and the next one opens it again.
// An eval'd script (CommonJS) rather than a file: it runs the same from sources and from dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
parentPort.on('message', (message) => {
  try {
    if (db === undefined) {
      db = new Database(workerData.path, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 5000');
    }
    const rows = db.prepare(message.sql).all(...message.parameters);
    parentPort.postMessage({ id: message.id, ok: true, rows });
  } catch (error) {
    try { if (db) db.close(); } catch {}
    db = undefined;
    parentPort.postMessage({ id: message.id, ok: false, error: String(error && error.message || error) });
  }
});
`;

interface Reply extends WorkerReply {
  readonly rows?: unknown[];
}

/** Options of {@link SqliteReadThread}. */
export interface SqliteReadThreadOptions {
  /** The thread is stopped after this many ms without a query (default 30 s), and started by the next. */
  readonly idleStopMs?: number;
}

/**
 * Runs the request log's reads in a worker thread of their own: better-sqlite3 is synchronous, and on
 * the gateway's thread a read would hold every request for as long as it takes (the analytics summary
 * of 200,000 records 1.3–1.9 s; a page whose filter matches nothing reads its tenant's whole index,
 * ~0.1 s per 300,000 records warm, over a second cold). The thread starts with the first query and
 * stops when idle, so a gateway whose logs nobody reads holds no third V8 isolate.
 */
export class SqliteReadThread {
  readonly #thread: OnDemandWorker<Reply>;

  constructor(path: string, options: SqliteReadThreadOptions = {}) {
    this.#thread = new OnDemandWorker<Reply>({
      source: WORKER_SOURCE,
      workerData: { path, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
      name: 'the log read thread',
      idleStopMs: options.idleStopMs ?? 30_000,
    });
  }

  /** Whether the thread is running (tests). */
  get running(): boolean {
    return this.#thread.running;
  }

  /** The rows of one statement, run on the thread's own read-only connection. */
  async all<T>(sqlText: string, parameters: readonly unknown[]): Promise<T[]> {
    const reply = await this.#thread.request({ sql: sqlText, parameters });
    if (!reply.ok) throw new Error(reply.error ?? 'the SQLite read thread failed');
    return (reply.rows ?? []) as T[];
  }

  /** Stops the thread (queries waiting on it are refused); a later query starts it again. */
  close(): Promise<void> {
    return this.#thread.stop();
  }
}
