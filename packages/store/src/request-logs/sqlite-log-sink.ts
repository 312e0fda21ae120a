import { createRequire } from 'node:module';
import {
  filterMetadataKeys,
  LOG_COLUMNS,
  pushLogRowValues,
  type RequestLogInput,
  storedMetadataOf,
} from './log-record.js';
import type { LogRow } from './log-spill.js';
import type { LogSink } from './log-writer.js';
import { OnDemandWorker, type WorkerReply } from './on-demand-worker.js';

const METADATA_COLUMNS = ['log_id', 'tenant', 'key', 'value', 'created_at'] as const;

/**
 * How long one batch waits for another process's write lock (ms; SQLite's `busy_timeout` in the
 * writer thread). Short: a batch refused is retried at the next flush, and a shutdown waits for the
 * batch under way before it can spill the records (its own last batch waits until its deadline).
 */
const WRITE_LOCK_WAIT_MS = 1000;

/** Slot buffers the thread sends back for reuse, at most (32 of 80 KiB: ~20 hand-overs a second). */
const MAX_SPARE_BUFFERS = 32;

/** How a log column travels to the thread in a chunk's slot: the value, a word's index, a text's length. */
const ColumnKind = { Number: 0, Coded: 1, Text: 2 } as const;

/**
 * The writer connection's page cache, KiB (SQLite's `cache_size`, negative for KiB). better-sqlite3
 * builds SQLite with a 16 MiB default, which the writer filled as the log grew: ~20 MiB of the
 * gateway's resident memory under load (~170 MiB at its peak then). Inserts of time-ordered keys (the
 * gateway's trace ids and log ids) touch only the last pages of each index, and cost the same with
 * 4 MiB (7.0 µs per record either way, `scripts/log-sink-cpu.mjs`); random keys (clients' own
 * trace ids, a session id in metadata) cost more with a smaller cache: ~74-77 µs per record with
 * 16 MiB, ~84 with 4 and ~95 with 2 while the log had its every-tenant indexes (five random entries
 * per record; ~45 µs with 4 MiB since migration 0006), about half of it in the kernel, reading and
 * writing the index pages they scatter over.
 */
const WRITER_PAGE_CACHE_KIB = 4096;

// The writer thread: its own better-sqlite3 connection to the store's file (WAL: the gateway's
// reads never wait for it). Records arrive in 'stage' messages, each a chunk of records in the
// form the gateway's thread built them in (see OutboxChunk: a Float64Array of the rows' slots,
// transferred, and one string of their texts), and wait here in that form: a chunk held until its
// write is two objects, not thousands, for this thread's garbage collector. A 'write' through a
// sequence number decodes the staged records before it into one flat array of values (as the
// inserts bind them) and commits them in one transaction (multi-row inserts of prepared statements cached by row count), and drops
// them only once committed. After a failure the connection is closed and opened again at the next
// batch, so a file made writable again (or a disk with room again) is used without a restart. Each
// batch first checks that the file is still writable (one access(2) call): an open descriptor would
// go on writing to a file the operator made read-only.
// An eval'd script (CommonJS) rather than a file: it runs the same from sources and from dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { accessSync, constants, existsSync, statSync } = require('node:fs');
const Database = require(workerData.driver);
const LOG_ROWS_PER_INSERT = 200;
const METADATA_ROWS_PER_INSERT = 1000;
let db;
let statements = new Map();
const LOG_WIDTH = workerData.logColumns.length;
const METADATA_WIDTH = workerData.metadataColumns.length;
const KINDS = workerData.columnKinds;
const NUMBER = ${ColumnKind.Number};
const CODED = ${ColumnKind.Coded};
// Chunks handed over by 'stage' messages, in queue order, until a 'write' commits their records:
// { firstSeq: the sequence number of its first record (the next chunk's follows its last),
// records, slots, text, words, odd, metadata: the metadata rows' values, flat (or undefined);
// counts: metadata rows per record (undefined when none has any) }, or, once decoded,
// { firstSeq, records, values: the log rows' values, flat, metadata, counts }.
let staged = [];
let stagedRecords = 0;
// Slot buffers decoded since the last write's reply: sent back with it for the next chunks (a new
// buffer of this size costs the gateway's thread its page faults, ~1 µs per record here).
let spare = [];
// A chunk's log rows as one flat array of values, made when a write first needs them.
function valuesOf(chunk) {
  if (chunk.values !== undefined) return chunk.values;
  const { slots, text, words, odd } = chunk;
  const length = chunk.records * LOG_WIDTH;
  const values = new Array(length);
  let at = 0;
  for (let slot = 0, column = 0; slot < length; slot += 1) {
    const kind = KINDS[column];
    const slotValue = slots[slot];
    if (kind === NUMBER) values[slot] = slotValue !== slotValue ? null : slotValue;
    else if (slotValue < 0) values[slot] = null;
    else if (kind === CODED) values[slot] = words[slotValue];
    else {
      values[slot] = text.slice(at, at + slotValue);
      at += slotValue;
    }
    column = column + 1 === LOG_WIDTH ? 0 : column + 1;
  }
  if (odd !== undefined) for (let index = 0; index < odd.length; index += 2) values[odd[index]] = odd[index + 1];
  chunk.values = values;
  if (spare.length < ${MAX_SPARE_BUFFERS}) spare.push(slots.buffer);
  chunk.slots = chunk.text = chunk.words = chunk.odd = undefined;
  return values;
}
function metadataRowsOf(chunk, records) {
  if (chunk.counts === undefined) return 0;
  let rows = 0;
  for (let index = 0; index < records; index += 1) rows += chunk.counts[index];
  return rows;
}
// The store's file gone (deleted or moved while the gateway ran): said so, and no empty file without
// tables is made in its place (better-sqlite3 creates a missing file), which every batch, and the
// log reads, then failed on ("no such table").
function gone() {
  return new Error('the SQLite file ' + workerData.path + ' is gone (deleted or moved while the gateway ran): ' +
    'records are kept, and spilled at shutdown; put the file back, or restart the gateway, which makes a new store');
}
function open() {
  try {
    db = new Database(workerData.path, { fileMustExist: true });
  } catch (error) {
    if (!existsSync(workerData.path)) throw gone();
    throw error;
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -' + workerData.pageCacheKiB);
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
// The values are passed as arguments (run(...params), 8,000 at most), not as one array: the
// driver reads an array argument element by element through V8's generic property lookup, a
// tenth of this thread's time per record; arguments it reads directly.
// segments: [flat values, rows] pairs, read in order (the first rows of each).
function insertAll(table, columns, segments, perInsert) {
  const width = columns.length;
  let total = 0;
  for (const [, rows] of segments) total += rows;
  let params = [];
  let segment = 0;
  let offset = 0;
  for (let done = 0, count = 0; done < total; done += count) {
    const left = total - done;
    count = left >= perInsert ? perInsert : 2 ** Math.floor(Math.log2(left));
    if (params.length !== count * width) params = new Array(count * width);
    for (let at = 0; at < params.length; ) {
      const [values, rows] = segments[segment];
      const end = rows * width;
      if (offset >= end) {
        segment += 1;
        offset = 0;
        continue;
      }
      const stop = Math.min(end, offset + params.length - at);
      while (offset < stop) params[at++] = values[offset++];
    }
    statement(table, columns, count).run(...params);
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
    if (message.type === 'stage') {
      staged.push(message.chunk);
      stagedRecords += message.chunk.records;
      return;
    }
    if (message.type === 'take') {
      // The gateway stops with records the file did not take: their rows go back, for its spill file.
      const values = [];
      let records = 0;
      for (const chunk of staged) {
        const chunkValues = valuesOf(chunk);
        const length = chunk.records * LOG_WIDTH;
        for (let index = 0; index < length; index += 1) values.push(chunkValues[index]);
        records += chunk.records;
      }
      staged = [];
      stagedRecords = 0;
      parentPort.postMessage({ id: message.id, ok: true, values, records });
      return;
    }
    if (db === undefined) open();
    if (message.type === 'write') {
      // An open descriptor keeps writing to a file made read-only (and root ignores the mode):
      // look, once per batch.
      try {
        accessSync(workerData.path, constants.W_OK);
      } catch (error) {
        throw error && error.code === 'ENOENT' ? gone() : error;
      }
      if ((statSync(workerData.path).mode & 0o222) === 0) throw new Error('the SQLite file is read-only');
      // The records before sequence number 'through': none when a write of the same batch that
      // outlived its caller's timeout committed them already.
      const head = staged.length > 0 ? staged[0].firstSeq : message.through;
      const count = Math.min(stagedRecords, Math.max(0, message.through - head));
      // Whole chunks, then the first records of one more (a backlog's batch may end inside one).
      const logs = [];
      const metadata = [];
      let whole = 0;
      let left = count;
      for (; left > 0 && whole < staged.length; whole += 1) {
        const chunk = staged[whole];
        const records = Math.min(left, chunk.records);
        logs.push([valuesOf(chunk), records]);
        const metadataRows = metadataRowsOf(chunk, records);
        if (metadataRows > 0) metadata.push([chunk.metadata, metadataRows]);
        left -= records;
        if (records < chunk.records) break;
      }
      // How long this batch may wait for another process's write lock (shorter at a shutdown).
      db.pragma('busy_timeout = ' + message.busyTimeoutMs);
      db.transaction(() => {
        insertAll('request_logs', workerData.logColumns, logs, LOG_ROWS_PER_INSERT);
        if (metadata.length > 0)
          insertAll('request_log_metadata', workerData.metadataColumns, metadata, METADATA_ROWS_PER_INSERT);
      })();
      // Dropped only once committed: a failed batch is here for the retry.
      const split = staged[whole];
      if (split !== undefined && logs.length > whole) {
        const records = logs[whole][1];
        const metadataRows = metadataRowsOf(split, records);
        staged[whole] = {
          firstSeq: split.firstSeq + records,
          records: split.records - records,
          values: split.values.slice(records * LOG_WIDTH),
          metadata: metadataRows > 0 ? split.metadata.slice(metadataRows * METADATA_WIDTH) : split.metadata,
          counts: split.counts === undefined ? undefined : split.counts.slice(records),
        };
      }
      staged.splice(0, whole);
      stagedRecords -= count;
      parentPort.postMessage({ id: message.id, ok: true, through: head + count, spare }, spare);
      spare = [];
    } else if (message.type === 'pragmas') {
      const pragma = (name) => db.pragma(name, { simple: true });
      parentPort.postMessage({
        id: message.id,
        ok: true,
        pragmas: { journalMode: pragma('journal_mode'), synchronous: pragma('synchronous'), cacheSize: pragma('cache_size') },
      });
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

interface Reply extends WorkerReply {
  /** Records deleted ('delete'). */
  readonly count?: number;
  /** 'write': the thread has committed every record it was handed before this sequence number. */
  readonly through?: number;
  /** Slot buffers the thread is done with ('write'). */
  readonly spare?: ArrayBuffer[];
  /** The writer connection's settings ('pragmas'). */
  readonly pragmas?: WriterPragmas;
  /** 'take': the log rows' values of the records the thread held, flat, and how many records. */
  readonly values?: unknown[];
  readonly records?: number;
}

/** Settings of the writer thread's connection, as SQLite reports them. */
export interface WriterPragmas {
  readonly journalMode: string;
  /** 1 is NORMAL. */
  readonly synchronous: number;
  /** Negative: KiB. */
  readonly cacheSize: number;
}

/** Options of {@link SqliteLogSink}. */
export interface SqliteLogSinkOptions {
  /**
   * The writer thread is stopped after this many ms without a batch (default 30 s) and started again
   * by the next one: an idle gateway holds no second V8 isolate (~9 MiB resident).
   */
  readonly idleStopMs?: number;
  /**
   * Records are handed to the thread at least this often, ms (default 50), and at once when
   * `stageBatch` (default 256) wait. Each hand-over wakes the thread: at 1,300 and 3,000
   * records/s, 50 ms and 256 cost the thread 1.2-3.4 µs less CPU per record than 10 ms and 64 (the
   * process ~3 µs less), and a group still dies young in the gateway's heap (it lives at most
   * 50 ms, less than the time between two scavenges there).
   */
  readonly stageEveryMs?: number;
  /** Records handed to the thread in one message at most (default 256). */
  readonly stageBatch?: number;
  /** Where a loss is told (the thread died holding records); default standard error. */
  readonly onWarning?: (message: string) => void;
}

/**
 * The log columns of few distinct values: sent to the thread as indexes into their chunk's words.
 * Every string the thread is sent is copied, and allocated again there: a row's ten or so
 * repeated strings cost more to send than all its other values together.
 */
const CODED_COLUMNS: readonly (typeof LOG_COLUMNS)[number][] = [
  'tenant',
  'span_name',
  'source',
  'gateway_key_id',
  'virtual_key',
  'config_id',
  'method',
  'endpoint',
  'provider',
  'model',
  'answered_model',
  'error_code',
  'cost_status',
  'cost_source',
  'cache_status',
  'target_path',
  'user_id',
  'prompt',
];

/** The log columns of strings of their own (ids, JSON, bodies): sent in the chunk's `text`. */
const TEXT_COLUMNS: readonly (typeof LOG_COLUMNS)[number][] = [
  'id',
  'trace_id',
  'span_id',
  'parent_span_id',
  'metadata',
  'attempts',
  'request_body',
  'response_body',
  'path',
  'error_message',
  'guardrails',
  'cost_parts',
];

/** The kind of each of {@link LOG_COLUMNS} (the other columns are numbers: times, counts, tokens, cost). */
const LOG_COLUMN_KINDS: readonly number[] = LOG_COLUMNS.map((name) =>
  CODED_COLUMNS.includes(name)
    ? ColumnKind.Coded
    : TEXT_COLUMNS.includes(name)
      ? ColumnKind.Text
      : ColumnKind.Number,
);

const LOG_WIDTH = LOG_COLUMNS.length;

/**
 * Records on their way to the writer thread. Each row is `LOG_WIDTH` slots of `slots`, one per
 * column: a number column's value (NaN for null), a coded column's index into `words` (-1 for
 * null), a text column's length in UTF-16 units (-1 for null), the text itself appended to
 * `texts`. The slots' buffer is transferred (not copied) and the texts go as one string, so a
 * hand-over serialises a few objects, not forty values per record: value by value, it cost the
 * gateway's thread ~3.6 µs per record under load. A value of another type than its column's (none
 * that the types allow) goes in `odd`, as [slot, value] pairs, and its slot reads as null.
 */
interface OutboxChunk {
  /** The sequence number of its first record. */
  readonly firstSeq: number;
  records: number;
  slots: Float64Array<ArrayBuffer>;
  readonly texts: string[];
  /** The distinct values of the coded columns in this chunk, and their indexes. */
  readonly words: unknown[];
  readonly codes: Map<unknown, number>;
  odd: unknown[] | undefined;
  /** The metadata rows' values (all but `_user`), flat. */
  readonly metadata: unknown[];
  /** Metadata rows per record; undefined while no record of the chunk has any. */
  counts: number[] | undefined;
}

function emptyChunk(slots: Float64Array<ArrayBuffer>, firstSeq: number): OutboxChunk {
  return {
    firstSeq,
    records: 0,
    slots,
    texts: [],
    words: [],
    codes: new Map(),
    odd: undefined,
    metadata: [],
    counts: undefined,
  };
}

/**
 * What the SQLite sink queues per record: its sequence number (0, 1, 2 ... in the order `encode`
 * was called). The record's rows are already on their way to the writer thread, which holds them
 * until `write` commits them.
 */
export type SqliteLogItem = number;

/**
 * The SQLite log sink: better-sqlite3 is synchronous, so the inserts run in a worker thread and the
 * gateway's event loop never waits for a write. `encode` builds a record's rows (JSON of metadata
 * and attempts) and hands them to the thread within `stageEveryMs` (50 ms, or at once in groups of
 * 256); the writer's queue holds only a record's sequence number, and `write(items)` commits the
 * records the thread holds up to the last of `items`. Why: a row that waited in the
 * gateway's thread for its flush (up to a second) outlived the young generation and was copied and
 * marked by the garbage collector, which cost more than writing it; handed over within milliseconds
 * it dies young here, and the writer thread, which allocates little, rarely collects.
 *
 * A batch the store refuses stays in the thread for the retry. The thread starts with the first
 * record (not when the gateway starts) and stops when it holds none and no batch came for
 * `idleStopMs`. Should it die holding records, they are lost: counted, told, and the queue's
 * items for them are taken as written. A write is idempotent: a batch written again (its first
 * write outlived the writer's timeout and committed after all) commits nothing twice and tells
 * nothing as lost.
 */
export class SqliteLogSink implements LogSink<SqliteLogItem> {
  readonly #thread: OnDemandWorker<Reply>;
  readonly #stageEveryMs: number;
  readonly #stageBatch: number;
  readonly #warn: (message: string) => void;
  /** Rows built and not yet handed to the thread. */
  #outbox: OutboxChunk;
  /** Slot buffers the thread sent back, for the next chunks (emptied when the thread stops). */
  #spare: Float64Array<ArrayBuffer>[] = [];
  /** One row's values, reused: `encode` turns them into slots. */
  readonly #row: unknown[] = [];
  #stageTimer: NodeJS.Timeout | undefined;
  /** No write waits for another process's lock past this (ms since the epoch; see `endWritesBy`). */
  #endsBy = Number.POSITIVE_INFINITY;
  /** The sequence number of the next record `encode` takes. */
  #nextSeq = 0;
  /** One past the last record handed to the running thread. */
  #heldTo = 0;
  /** Every record before it was committed (the highest of the write replies'). */
  #committedThrough = 0;
  /** The running thread was handed no record before it: those the ranges below hold died with a thread. */
  #lostBefore = 0;
  /** [from, to) of the records a thread died holding, not yet told lost. */
  #lostRanges: [number, number][] = [];
  /** Every record before it is committed, or was told lost: a write of them has nothing to do. */
  #settled = 0;
  /** Records told lost (a thread died holding them), since start. */
  #lost = 0;

  constructor(path: string, options: SqliteLogSinkOptions = {}) {
    this.#thread = new OnDemandWorker<Reply>({
      source: WORKER_SOURCE,
      workerData: {
        path,
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        logColumns: LOG_COLUMNS,
        columnKinds: LOG_COLUMN_KINDS,
        metadataColumns: METADATA_COLUMNS,
        pageCacheKiB: WRITER_PAGE_CACHE_KIB,
      },
      name: 'the log writer thread',
      idleStopMs: options.idleStopMs ?? 30_000,
      // Not while it holds records not yet committed, or the outbox has some to hand over.
      canStop: () => !this.#holds() && this.#outbox.records === 0,
      onReply: (reply) => {
        if (reply.spare !== undefined)
          for (const buffer of reply.spare)
            if (
              this.#spare.length < MAX_SPARE_BUFFERS &&
              buffer.byteLength >= this.#stageBatch * LOG_WIDTH * 8
            )
              this.#spare.push(new Float64Array(buffer));
      },
      // What it held and had not committed is lost (told by the write of them); its buffers go with it.
      onGone: () => {
        this.#loseHeld();
        this.#spare = [];
      },
      closeMessage: { type: 'close' },
    });
    this.#stageEveryMs = options.stageEveryMs ?? 50;
    this.#stageBatch = options.stageBatch ?? 256;
    this.#outbox = emptyChunk(this.#newSlots(), this.#nextSeq);
    this.#warn = options.onWarning ?? ((message) => process.stderr.write(`pk logs: ${message}\n`));
  }

  /** A chunk's slots: a buffer the thread sent back, or a new one. */
  #newSlots(): Float64Array<ArrayBuffer> {
    return this.#spare.pop() ?? new Float64Array(this.#stageBatch * LOG_WIDTH);
  }

  /** Whether the writer thread is running (tests). */
  get running(): boolean {
    return this.#thread.running;
  }

  /** Ends the writer thread as a crash would (tests). */
  async endThreadForTests(): Promise<void> {
    await this.#thread.terminate();
  }

  /** Whether the running thread holds records not yet committed. */
  #holds(): boolean {
    return this.#heldTo > Math.max(this.#committedThrough, this.#lostBefore);
  }

  /** The thread is gone: what it held and had not committed is lost (told by the write of them). */
  #loseHeld(): void {
    const from = Math.max(this.#committedThrough, this.#lostBefore);
    if (this.#heldTo > from) this.#lostRanges.push([from, this.#heldTo]);
    this.#lostBefore = this.#heldTo;
  }

  /**
   * Hands the outbox's rows to the thread (one message, answered by none). False when the thread
   * could not be started: the rows stay for the next try. Never throws: it runs from `encode`, on
   * the request's end, and from a timer.
   */
  #stage(): boolean {
    clearTimeout(this.#stageTimer);
    this.#stageTimer = undefined;
    const chunk = this.#outbox;
    if (chunk.records === 0) return true;
    try {
      this.#thread.post(
        {
          type: 'stage',
          chunk: {
            firstSeq: chunk.firstSeq,
            records: chunk.records,
            slots: chunk.slots,
            text: chunk.texts.join(''),
            words: chunk.words,
            odd: chunk.odd,
            metadata: chunk.counts === undefined ? undefined : chunk.metadata,
            counts: chunk.counts,
          },
        },
        [chunk.slots.buffer],
      );
    } catch {
      return false;
    }
    this.#heldTo = chunk.firstSeq + chunk.records;
    this.#outbox = emptyChunk(this.#newSlots(), this.#nextSeq);
    return true;
  }

  encode(record: RequestLogInput): SqliteLogItem {
    const stored = storedMetadataOf(record.metadata);
    const chunk = this.#outbox;
    const row = this.#row;
    row.length = 0;
    pushLogRowValues(row, record, stored);
    const base = chunk.records * LOG_WIDTH;
    // A chunk the thread could not take (it failed to start) grows until it can.
    if (base + LOG_WIDTH > chunk.slots.length) {
      const slots = new Float64Array(chunk.slots.length * 2);
      slots.set(chunk.slots);
      chunk.slots = slots;
    }
    const { slots, words, codes } = chunk;
    for (let column = 0; column < LOG_WIDTH; column += 1) {
      const value = row[column];
      const slot = base + column;
      const kind = LOG_COLUMN_KINDS[column];
      if (kind === ColumnKind.Number) {
        if (typeof value === 'number') slots[slot] = value;
        else this.#odd(chunk, slot, value, Number.NaN);
      } else if (value === null) {
        slots[slot] = -1;
      } else if (kind === ColumnKind.Coded) {
        // Mostly the previous row's value (one comparison), else looked up (a hash of the string).
        const previous = base === 0 ? -1 : (slots[slot - LOG_WIDTH] as number);
        let code = previous >= 0 && words[previous] === value ? previous : codes.get(value);
        if (code === undefined) {
          code = words.length;
          words.push(value);
          codes.set(value, code);
        }
        slots[slot] = code;
      } else if (typeof value === 'string') {
        slots[slot] = value.length;
        chunk.texts.push(value);
      } else {
        this.#odd(chunk, slot, value, -1);
      }
    }
    const keys = stored === undefined ? [] : filterMetadataKeys(stored);
    if (keys.length > 0) {
      chunk.counts ??= new Array<number>(chunk.records).fill(0);
      const createdAt = Math.round(record.createdAt);
      for (const key of keys) chunk.metadata.push(record.id, record.tenant, key, stored?.[key], createdAt);
    }
    chunk.counts?.push(keys.length);
    chunk.records += 1;
    const seq = this.#nextSeq;
    this.#nextSeq += 1;
    if (chunk.records >= this.#stageBatch) this.#stage();
    else if (this.#stageTimer === undefined) {
      this.#stageTimer = setTimeout(() => this.#stage(), this.#stageEveryMs);
      this.#stageTimer.unref();
    }
    return seq;
  }

  /** A value of another type than its column's: sent as it is, its slot marked as null. */
  #odd(chunk: OutboxChunk, slot: number, value: unknown, empty: number): void {
    chunk.slots[slot] = empty;
    if (value === null) return;
    chunk.odd ??= [];
    chunk.odd.push(slot, value);
  }

  async write(items: readonly SqliteLogItem[]): Promise<void> {
    if (!this.#stage()) throw new Error('the SQLite log writer thread could not be started');
    const through = (items.at(-1) ?? -1) + 1;
    if (through <= this.#settled) return;
    // Only the running thread is asked: it holds no record before #lostBefore.
    if (through > this.#lostBefore) {
      const busyTimeoutMs = Math.max(0, Math.min(WRITE_LOCK_WAIT_MS, this.#endsBy - Date.now()));
      const reply = await this.#thread.request({ type: 'write', through, busyTimeoutMs });
      if (!reply.ok) throw new Error(reply.error ?? 'the SQLite log writer failed');
      this.#committedThrough = Math.max(this.#committedThrough, reply.through ?? 0);
    }
    let lost = 0;
    for (const seq of items) if (seq >= this.#settled && this.#isLost(seq)) lost += 1;
    this.#settled = Math.max(this.#settled, through);
    this.#lostRanges = this.#lostRanges.filter(([, to]) => to > this.#settled);
    this.#lost += lost;
    if (lost > 0)
      this.#warn(`${lost} request log record(s) were lost: the log writer thread stopped while holding them`);
    this.#thread.armIdleStop();
  }

  /** Records lost with a writer thread that died holding them (dropped), since start. */
  dropped(): number {
    return this.#lost;
  }

  /** Whether a record of a write is not in the file: its thread died, or the running one lacks it. */
  #isLost(seq: number): boolean {
    if (seq >= this.#lostBefore) return seq >= this.#committedThrough;
    for (const [from, to] of this.#lostRanges) if (seq >= from && seq < to) return true;
    return false;
  }

  /**
   * The rows of the records the running thread holds and did not commit (it gives them up): at
   * shutdown, for the spill file. Records a dead thread took with it are not among them (told lost).
   */
  async unwritten(): Promise<LogRow[]> {
    if (!this.#thread.running || !this.#holds()) return [];
    const reply = await this.#thread.request({ type: 'take' });
    if (!reply.ok) throw new Error(reply.error ?? 'the SQLite log writer failed');
    const values = reply.values ?? [];
    const rows: LogRow[] = [];
    for (let record = 0; record < (reply.records ?? 0); record += 1) {
      const row: Record<string, string | number | null> = {};
      for (let column = 0; column < LOG_WIDTH; column += 1)
        row[LOG_COLUMNS[column] as string] = values[record * LOG_WIDTH + column] as string | number | null;
      rows.push(row);
    }
    this.#committedThrough = this.#heldTo;
    return rows;
  }

  /** The writer connection's settings (starts the thread if it is not running). */
  async pragmas(): Promise<WriterPragmas> {
    const reply = await this.#thread.request({ type: 'pragmas' });
    if (!reply.ok || reply.pragmas === undefined)
      throw new Error(reply.error ?? 'the SQLite log writer failed');
    return reply.pragmas;
  }

  async deleteBefore(before: number, limit: number): Promise<number> {
    const reply = await this.#thread.request({ type: 'delete', before, limit });
    if (!reply.ok) throw new Error(reply.error ?? 'the SQLite log writer failed');
    return reply.count ?? 0;
  }

  endWritesBy(at: number): void {
    this.#endsBy = Math.min(this.#endsBy, at);
  }

  async close(): Promise<void> {
    clearTimeout(this.#stageTimer);
    this.#stageTimer = undefined;
    this.#outbox = emptyChunk(this.#newSlots(), this.#nextSeq);
    await this.#thread.stop();
  }
}
