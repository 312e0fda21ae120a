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
    parentPort.postMessage({ id: message.id, ok: false, error: String(error && error.message || error), code: error && error.code });
  }
});
`;

interface Reply extends WorkerReply {
  readonly rows?: unknown[];
  /** better-sqlite3's code of a failed read (`SQLITE_CANTOPEN`): it tells an unavailable store from a bad statement. */
  readonly code?: string;
}

/** Options of {@link SqliteReadThread}. */
export interface SqliteReadThreadOptions {
  /** A lane's thread is stopped after this many ms without a query (default 30 s), and started by the next. */
  readonly idleStopMs?: number;
}

/**
 * Which thread a read runs on: `short` (a page, a record, a trace: milliseconds) or `analytics` (a
 * summary over a whole range: seconds over 200,000 records).
 */
export type ReadLaneName = 'short' | 'analytics';

/** How one read is run. */
export interface ReadOptions {
  /** Default `short`. */
  readonly lane?: ReadLaneName | undefined;
  /**
   * The caller gave up: a read still queued is never run; a running `analytics` read is stopped
   * (its thread is ended; the next read starts another). Either way the read rejects.
   */
  readonly signal?: AbortSignal | undefined;
}

interface QueuedRead {
  readonly sql: string;
  readonly parameters: readonly unknown[];
  readonly signal: AbortSignal | undefined;
  readonly resolve: (rows: unknown[]) => void;
  readonly reject: (error: Error) => void;
  /** The abort listener of a queued read. */
  readonly leave: () => void;
}

/** One lane: its thread, and the reads waiting for it (one at a time is handed to the thread). */
interface Lane {
  readonly thread: OnDemandWorker<Reply>;
  readonly queue: QueuedRead[];
  /** Whether a running read is stopped when its caller gives up (ending the thread). */
  readonly stopOnAbort: boolean;
  busy: boolean;
}

const givenUp = () => new Error('the read was given up by its caller');

/**
 * Runs the request log's reads in worker threads of their own: better-sqlite3 is synchronous, and on
 * the gateway's thread a read would hold every request for as long as it takes (the analytics summary
 * of 200,000 records 1.3–1.9 s; a page whose filter matches nothing reads its tenant's whole index,
 * ~0.1 s per 300,000 records warm, over a second cold). Two lanes, each its own thread and read-only
 * connection (WAL: concurrent readers): short reads (pages, records, traces) never queue behind
 * analytics (with one thread, a 50-record page took ~7.9 s while two summaries ran, 34 ms alone).
 * Each lane hands its thread one read at a time, so a read whose caller gave up while it waited is
 * dropped, never run. A thread starts with its first query and stops when idle, so a gateway whose
 * logs nobody reads holds no extra V8 isolate.
 */
export class SqliteReadThread {
  readonly #lanes: Readonly<Record<ReadLaneName, Lane>>;

  constructor(path: string, options: SqliteReadThreadOptions = {}) {
    const lane = (name: string, stopOnAbort: boolean): Lane => ({
      thread: new OnDemandWorker<Reply>({
        source: WORKER_SOURCE,
        workerData: { path, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
        name,
        idleStopMs: options.idleStopMs ?? 30_000,
      }),
      queue: [],
      stopOnAbort,
      busy: false,
    });
    this.#lanes = {
      short: lane('the log read thread', false),
      analytics: lane('the log analytics thread', true),
    };
  }

  /** Whether either lane's thread is running (tests). */
  get running(): boolean {
    return this.#lanes.short.thread.running || this.#lanes.analytics.thread.running;
  }

  /** Whether a lane's thread is running (tests). */
  laneRunning(lane: ReadLaneName): boolean {
    return this.#lanes[lane].thread.running;
  }

  /** The rows of one statement, run on a lane's thread (its own read-only connection). */
  all<T>(sqlText: string, parameters: readonly unknown[], options: ReadOptions = {}): Promise<T[]> {
    const lane = this.#lanes[options.lane ?? 'short'];
    return new Promise<T[]>((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted === true) return reject(givenUp());
      const read: QueuedRead = {
        sql: sqlText,
        parameters,
        signal,
        resolve: resolve as (rows: unknown[]) => void,
        reject,
        // Given up while queued: out of the queue, refused now.
        leave: () => {
          const at = lane.queue.indexOf(read);
          if (at === -1) return;
          lane.queue.splice(at, 1);
          reject(givenUp());
        },
      };
      signal?.addEventListener('abort', read.leave, { once: true });
      lane.queue.push(read);
      this.#next(lane);
    });
  }

  /** Hands the lane's next read that someone still waits for to its thread, when it is free. */
  #next(lane: Lane): void {
    if (lane.busy) return;
    let read = lane.queue.shift();
    while (read?.signal?.aborted === true) {
      read.reject(givenUp());
      read = lane.queue.shift();
    }
    if (read === undefined) return;
    lane.busy = true;
    const { signal } = read;
    signal?.removeEventListener('abort', read.leave);
    let stopped = false;
    const stop = (): void => {
      stopped = true;
      void lane.thread.stop();
    };
    if (lane.stopOnAbort) signal?.addEventListener('abort', stop, { once: true });
    const done = (): void => {
      signal?.removeEventListener('abort', stop);
      lane.busy = false;
      this.#next(lane);
    };
    let reply: Promise<Reply>;
    try {
      reply = lane.thread.request({ sql: read.sql, parameters: read.parameters });
    } catch (error) {
      read.reject(error instanceof Error ? error : new Error(String(error)));
      done();
      return;
    }
    const current = read;
    void reply.then((answer) => {
      if (stopped) current.reject(givenUp());
      else if (!answer.ok)
        current.reject(
          Object.assign(new Error(answer.error ?? 'the SQLite read thread failed'), { code: answer.code }),
        );
      else current.resolve(answer.rows ?? []);
      done();
    });
  }

  /** Stops both threads (queries waiting on them are refused); a later query starts them again. */
  async close(): Promise<void> {
    for (const lane of Object.values(this.#lanes))
      for (const read of lane.queue.splice(0)) read.reject(new Error('the log read thread was stopped'));
    await Promise.all(Object.values(this.#lanes).map((lane) => lane.thread.stop()));
  }
}
