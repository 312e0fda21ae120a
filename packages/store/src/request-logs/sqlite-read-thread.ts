import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

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

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly rows?: unknown[];
  readonly error?: string;
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
  readonly #path: string;
  readonly #idleStopMs: number;
  #worker: Worker | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #pending = new Map<number, { resolve: (reply: Reply) => void }>();
  #nextId = 0;

  constructor(path: string, options: SqliteReadThreadOptions = {}) {
    this.#path = path;
    this.#idleStopMs = options.idleStopMs ?? 30_000;
  }

  /** Whether the thread is running (tests). */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  /** The rows of one statement, run on the thread's own read-only connection. */
  async all<T>(sqlText: string, parameters: readonly unknown[]): Promise<T[]> {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#worker ??= this.#start();
    const worker = this.#worker;
    const id = this.#nextId++;
    const reply = await new Promise<Reply>((resolve) => {
      this.#pending.set(id, { resolve });
      worker.postMessage({ id, sql: sqlText, parameters });
    });
    this.#armIdleStop();
    if (!reply.ok) throw new Error(reply.error ?? 'the SQLite read thread failed');
    return (reply.rows ?? []) as T[];
  }

  #start(): Worker {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path: this.#path, driver } });
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const waiter = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      waiter?.resolve(reply);
    });
    // A thread that fails or ends unasked: what waited on it is refused; the next query starts another.
    const died = (reason: string): void => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      for (const waiter of this.#pending.values()) waiter.resolve({ id: -1, ok: false, error: reason });
      this.#pending.clear();
    };
    worker.on('error', (error) => died(error.message));
    worker.on('exit', (code) => died(`the log read thread ended (exit code ${code})`));
    return worker;
  }

  #armIdleStop(): void {
    if (this.#pending.size > 0 || this.#worker === undefined) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#pending.size === 0) void this.close();
    }, this.#idleStopMs);
    this.#idleTimer.unref();
  }

  /** Stops the thread (queries waiting on it are refused); a later query starts it again. */
  async close(): Promise<void> {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    const worker = this.#worker;
    if (worker === undefined) return;
    this.#worker = undefined;
    for (const waiter of this.#pending.values())
      waiter.resolve({ id: -1, ok: false, error: 'the log read thread was stopped' });
    this.#pending.clear();
    await worker.terminate().catch(() => undefined);
  }
}
