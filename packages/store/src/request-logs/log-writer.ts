import type { RequestLogInput } from './log-record.js';
import { appendLogSpill, type LogRow } from './log-spill.js';

/**
 * Where batches of records go: one transaction per call (SQLite in a worker thread, or PostgreSQL).
 * `Item` is what a record is queued as: the record itself, or what `encode` makes of it.
 */
export interface LogSink<Item = RequestLogInput> {
  /**
   * Turns a record into what `write` takes, when it is queued (default: the record as it is). A
   * queued record waits up to a flush interval, long enough to outlive the young generation: what
   * it holds then is copied and marked by the garbage collector, so a flat row is cheaper to hold
   * than the record's nested objects. Cheaper still, a sink may take the record's rows at once and
   * queue a placeholder (the SQLite sink hands them to its thread within 50 ms), if
   * `write(items)` then writes the records of exactly those items.
   */
  encode?(record: RequestLogInput): Item;
  /** Writes the items in one transaction; rejects when nothing was written. */
  write(items: readonly Item[]): Promise<void>;
  /**
   * The rows of queued items that are not in the store (for the spill file at shutdown), in queue
   * order; those it no longer has (a dead writer thread's) are left out. Called once, before `close`.
   */
  unwritten?(items: readonly Item[]): Promise<LogRow[]>;
  /**
   * Records of resolved writes the sink dropped rather than wrote (the database refused them one by
   * one, a dead writer thread took them), since start: counted among the writer's drops.
   */
  dropped?(): number;
  /** Deletes at most `limit` records older than `before` (epoch ms); resolves how many it deleted. */
  deleteBefore(before: number, limit: number): Promise<number>;
  /**
   * From now on, no write waits for a lock (another process's, on SQLite) past `at` (ms since the
   * epoch): a shutdown's last writes, whose records go to the spill file when refused.
   */
  endWritesBy?(at: number): void;
  close(): Promise<void>;
}

/** What the writer has done, for metrics (`pk_log_queue_depth`, drops) and health. */
export interface LogWriterStats {
  /** Records waiting to be written. */
  readonly depth: number;
  /**
   * Records dropped, since start: the queue was full (the store too slow or failing), the writer
   * was closed, or the store refused them one by one.
   */
  readonly dropped: number;
  /** Records written, since start. */
  readonly written: number;
  /** Batches the store refused (each retried), since start. */
  readonly failedBatches: number;
}

/** Options of {@link RequestLogWriter}. */
export interface LogWriterOptions {
  // biome-ignore lint/suspicious/noExplicitAny: the writer hands a sink back only what its own encode made.
  readonly sink: LogSink<any>;
  /** Records held at most (default 20,000: 20 s at 1,000 requests/s); beyond, new ones are dropped. */
  readonly capacity?: number;
  /**
   * Records per transaction at most (default 5,000): below that rate a batch is what one flush
   * interval gathered. Larger transactions cost the SQLite writer a quarter less CPU per record than
   * batches of 500 (an index page, above all of the random trace ids, is written once per commit
   * however many rows it takes): 19 µs instead of 25 at 3,000 records/s.
   */
  readonly batchSize?: number;
  /** A batch is written at least this often, ms (default 1000): a record is queryable within 2 s. */
  readonly flushMs?: number;
  /**
   * Warnings (drops, a failing store): at most one of each per `warnEveryMs` (default 10 s); drops
   * within that time are told together once it has passed.
   */
  readonly onWarning?: (message: string) => void;
  /** Records lost at `close` (neither stored nor spilled): error level; default `onWarning`. */
  readonly onLoss?: (message: string) => void;
  readonly warnEveryMs?: number;
  /**
   * A batch not written within this many ms (default 10 s: a database that stopped answering) is
   * taken as refused and retried; inserts are idempotent, so one that commits late is not doubled.
   */
  readonly writeTimeoutMs?: number;
  /**
   * Where `close` appends the records the store could not take (JSON lines, mode 0600), for the next
   * start to replay (see `startLogSpillReplay`); without it they are lost, and told so.
   */
  readonly spillFile?: string | undefined;
}

/**
 * The request log's bounded queue and batched writer, off the request path: `enqueue` is an array
 * push. A timer (and a full batch) writes up to `batchSize` records per transaction. A batch the
 * store refuses stays at the head of the queue and is retried at the next flush, so nothing accepted
 * is lost while there is room; when the queue is full, new records are dropped, counted and warned
 * about at most every 10 s (the drops of a burst are told when those 10 s have passed). `close`
 * writes what is left (SIGTERM), records queued while it does included.
 */
export class RequestLogWriter {
  readonly #sink: LogSink<unknown>;
  readonly #capacity: number;
  readonly #batchSize: number;
  readonly #warn: (message: string) => void;
  readonly #tellLoss: (message: string) => void;
  /** Records `close` could neither write nor spill. */
  #lostAtClose = 0;
  readonly #warnEveryMs: number;
  readonly #writeTimeoutMs: number;
  readonly #spillFile: string | undefined;
  #queue: unknown[] = [];
  #dropped = 0;
  /** Drops not yet told, by reason. */
  #untoldFull = 0;
  #untoldClosed = 0;
  #dropReport: NodeJS.Timeout | undefined;
  #written = 0;
  #failedBatches = 0;
  /** When the store began refusing batches (ms since the epoch); undefined while it takes them. */
  #failingSince: number | undefined;
  #lastDropWarning = Number.NEGATIVE_INFINITY;
  #lastFailureWarning = Number.NEGATIVE_INFINITY;
  #flushing: Promise<void> | undefined;
  /** No write waits past this (ms since the epoch; see `endWritesBy`). */
  #endsBy = Number.POSITIVE_INFINITY;
  /** `close` was called: the timer is stopped, the last flush is under way (records still taken). */
  #closing = false;
  /** The last flush is done: records are refused. */
  #closed = false;
  readonly #timer: NodeJS.Timeout;

  constructor(options: LogWriterOptions) {
    this.#sink = options.sink;
    this.#capacity = options.capacity ?? 20_000;
    this.#batchSize = options.batchSize ?? 5000;
    this.#warn = options.onWarning ?? ((message) => process.stderr.write(`pk logs: ${message}\n`));
    this.#tellLoss = options.onLoss ?? this.#warn;
    this.#warnEveryMs = options.warnEveryMs ?? 10_000;
    this.#writeTimeoutMs = options.writeTimeoutMs ?? 10_000;
    this.#spillFile = options.spillFile;
    this.#timer = setInterval(() => void this.#flushQueued(), options.flushMs ?? 1000);
    this.#timer.unref();
  }

  /** Queues one record; false when it was dropped (the queue is full or the writer closed). */
  enqueue(record: RequestLogInput): boolean {
    if (this.#closed || this.#queue.length >= this.#capacity) {
      this.#dropped += 1;
      if (this.#closed) this.#untoldClosed += 1;
      else this.#untoldFull += 1;
      this.#tellDrops();
      return false;
    }
    this.#push(record);
    return true;
  }

  /**
   * Queues every record, or none: false when they do not all fit (the queue is too full, or the
   * writer closed), and then nothing is queued nor counted as dropped (the caller refuses them, and
   * its client may send them again).
   */
  enqueueAll(records: readonly RequestLogInput[]): boolean {
    if (this.#closed || this.#queue.length + records.length > this.#capacity) return false;
    for (const record of records) this.#push(record);
    return true;
  }

  /** Whether the writer takes no more records (its last flush is done). */
  get closed(): boolean {
    return this.#closed;
  }

  #push(record: RequestLogInput): void {
    this.#queue.push(this.#sink.encode === undefined ? record : this.#sink.encode(record));
    if (this.#queue.length >= this.#batchSize && this.#flushing === undefined) void this.#flushQueued();
  }

  stats(): LogWriterStats {
    return {
      depth: this.#queue.length,
      dropped: this.#dropped + (this.#sink.dropped?.() ?? 0),
      written: this.#written - (this.#sink.dropped?.() ?? 0),
      failedBatches: this.#failedBatches,
    };
  }

  /**
   * Writes queued records until the queue is empty or the store refuses a batch (after the flush
   * under way, if one is).
   */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing.then(() => this.flush());
    return this.#startDrain(true);
  }

  /**
   * The timer's (and a full batch's) flush: writes the records queued when it starts, and what
   * arrives meanwhile only as full batches. The rest waits for the next tick (a record is written
   * by the first tick after it was queued): one commit per second at a steady rate. Draining down
   * to an empty queue wrote the few records that arrived during each write in commits of their
   * own, three or four small ones after each large one, each costing the SQLite writer a commit's
   * page writes for a handful of records.
   */
  #flushQueued(): Promise<void> {
    return this.#flushing ?? this.#startDrain(false);
  }

  #startDrain(whole: boolean): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve();
    this.#flushing = this.#drain(whole).finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #drain(whole: boolean): Promise<void> {
    let due = this.#queue.length;
    while (this.#queue.length > 0 && (whole || due > 0 || this.#queue.length >= this.#batchSize)) {
      const batch = this.#queue.slice(0, this.#batchSize);
      due -= batch.length;
      try {
        await this.#writeWithin(batch);
      } catch (error) {
        this.#failedBatches += 1;
        this.#failingSince ??= Date.now();
        this.#warnNow(
          `the log store refused a batch of ${batch.length} (${(error as Error).message}); ` +
            `${this.#queue.length} records kept and retried`,
        );
        return;
      }
      this.#queue.splice(0, batch.length);
      this.#written += batch.length;
      if (this.#failingSince !== undefined) this.#tellRecovered();
    }
  }

  #writeWithin(batch: readonly unknown[]): Promise<void> {
    const waitMs = Math.max(0, Math.min(this.#writeTimeoutMs, this.#endsBy - Date.now()));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${waitMs} ms`)), waitMs);
    });
    const write = this.#sink.write(batch);
    write.catch(() => undefined);
    return Promise.race([write, timeout]).finally(() => clearTimeout(timer));
  }

  /** Deletes records older than `before` in batches of `batch`, yielding between them; resolves the count. */
  async deleteBefore(before: number, batch = 1000): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.#sink.deleteBefore(before, batch);
      total += deleted;
      if (deleted < batch || this.#closing) return total;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * From now on, no write lasts past `at` (ms since the epoch), nor waits for another process's
   * lock past it: a shutdown's deadline. What is not written by then goes to the spill file at
   * `close`.
   */
  endWritesBy(at: number): void {
    this.#endsBy = Math.min(this.#endsBy, at);
    this.#sink.endWritesBy?.(at);
  }

  /**
   * Writes what is queued (a last try; records queued meanwhile are written too), then stops taking
   * records, appends what the store still refused to the spill file (when there is one), and closes
   * the store's writer.
   */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#timer);
    await this.flush();
    this.#closed = true;
    // The last word on drops not told yet (their report would come after the process is gone).
    this.#tellDropsNow();
    // Not rate-limited: the failed drain's own warning may have just been given, and this is the last word.
    if (this.#queue.length > 0) await this.#spill();
    await this.#sink.close();
  }

  /** Records `close` could neither write to the store nor append to the spill file (lost). */
  get lostAtClose(): number {
    return this.#lostAtClose;
  }

  /** The queue's records into the spill file, or a report (`onLoss`) that they are lost. */
  async #spill(): Promise<void> {
    const count = this.#queue.length;
    const lost = (reason: string): void => {
      this.#lostAtClose += count;
      this.#tellLoss(
        `${count} request log records could not be written before stopping: they are lost${reason}`,
      );
    };
    if (this.#spillFile === undefined || this.#sink.unwritten === undefined) {
      lost('');
      return;
    }
    try {
      const rows = await this.#sink.unwritten(this.#queue);
      await appendLogSpill(this.#spillFile, rows);
      this.#queue = [];
      // Records a dead SQLite writer thread took with it are not among the rows.
      const gone = count - rows.length;
      if (rows.length === 0) {
        lost(' with the log writer thread');
        return;
      }
      const kept = `${rows.length} request log records could not be written before stopping: kept in ${this.#spillFile}, written to the store at the next start`;
      if (gone === 0) this.#warn(kept);
      else {
        this.#lostAtClose += gone;
        this.#tellLoss(`${kept}; ${gone} more were lost with the log writer thread`);
      }
    } catch (error) {
      lost(` (the spill file ${this.#spillFile} could not be written: ${(error as Error).message})`);
    }
  }

  /**
   * Tells the drops not told yet: now when the last report is `warnEveryMs` old, else when it will
   * be (a timer): a burst of drops is told in full, once, at most every `warnEveryMs`.
   */
  #tellDrops(): void {
    if (this.#dropReport !== undefined) return;
    const wait = this.#lastDropWarning + this.#warnEveryMs - Date.now();
    if (wait <= 0) {
      this.#tellDropsNow();
      return;
    }
    this.#dropReport = setTimeout(() => this.#tellDropsNow(), wait);
    this.#dropReport.unref();
  }

  #tellDropsNow(): void {
    clearTimeout(this.#dropReport);
    this.#dropReport = undefined;
    if (this.#untoldFull === 0 && this.#untoldClosed === 0) return;
    this.#lastDropWarning = Date.now();
    const since = ` (${this.#dropped} dropped since start)`;
    if (this.#untoldFull > 0)
      this.#warn(
        `dropped ${this.#untoldFull} request log record(s): the queue is full (${this.#capacity}); the store is too slow or failing${since}`,
      );
    if (this.#untoldClosed > 0)
      this.#warn(
        `dropped ${this.#untoldClosed} request log record(s): they came after the log writer was closed (the gateway is stopping)${since}`,
      );
    this.#untoldFull = 0;
    this.#untoldClosed = 0;
  }

  /**
   * Says once that the store takes records again after refusing them: the refusals' warnings stop,
   * and an operator watching for the outage's end is told it, with what is still to write.
   */
  #tellRecovered(): void {
    const seconds = Math.round((Date.now() - (this.#failingSince ?? Date.now())) / 1000);
    this.#failingSince = undefined;
    this.#warn(
      `the log store takes records again after refusing them for ${seconds} s; ${this.#queue.length} records kept meanwhile are still to write`,
    );
  }

  #warnNow(message: string): void {
    const now = Date.now();
    if (now - this.#lastFailureWarning < this.#warnEveryMs) return;
    this.#lastFailureWarning = now;
    this.#warn(message);
  }
}
