import { open, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createFolders } from '../database/create-folders.js';
import { LOG_COLUMNS } from './log-record.js';
import type { LogRowsWritten } from './log-rows.js';

/**
 * The spill file in the data directory: request log records the store could not take before the
 * gateway stopped, one JSON object per line, replayed into the store at the next start.
 */
export const LOG_SPILL_FILE = 'request-log-spill.jsonl';

/** One `request_logs` row by column name (what a spill file's line holds). */
export type LogRow = Readonly<Record<string, string | number | null>>;

const COLUMNS: ReadonlySet<string> = new Set(LOG_COLUMNS);
/** Lines written per `write` call at most (bodies may make a line 128 KiB). */
const LINES_PER_WRITE = 256;

/**
 * Appends `rows` to the spill file at `path` as JSON lines and syncs it to disk before resolving:
 * created with mode 0600 (records may hold bodies) in a directory created with mode 0700. A line a
 * crash cut short stays what it is: the first line of this append starts on a line of its own. An
 * append that fails (a full disk) into a file that was empty removes the file again: an empty
 * spill file left behind would say records were kept when none were.
 */
export async function appendLogSpill(path: string, rows: readonly LogRow[]): Promise<void> {
  if (rows.length === 0) return;
  await createFolders(dirname(path), 0o700);
  const handle = await open(path, 'a+', 0o600);
  let created = false;
  let appended = false;
  try {
    await handle.chmod(0o600);
    const { size } = await handle.stat();
    created = size === 0;
    let lines: string[] = [];
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) lines.push('');
    }
    for (const row of rows) {
      lines.push(`${JSON.stringify(row)}\n`);
      if (lines.length >= LINES_PER_WRITE) {
        await handle.write(lines.join(''));
        lines = [];
      }
    }
    if (lines.length > 0) await handle.write(lines.join(''));
    await handle.sync();
    appended = true;
  } finally {
    await handle.close().catch(() => undefined);
    // Not when another process appended meanwhile (the file is not empty then).
    if (created && !appended && (await stat(path).catch(() => undefined))?.size === 0)
      await unlink(path).catch(() => undefined);
  }
  // A new file's name is durable once its directory is synced too.
  if (created) {
    const directory = await open(dirname(path), 'r').catch(() => undefined);
    await directory?.sync().catch(() => undefined);
    await directory?.close();
  }
}

/** A spill file's line read as a JSON object, or undefined when it is not one (a torn or corrupt line). */
export function jsonObjectOfLine(line: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined;
}

/**
 * The row a spill file's line holds, or undefined when it is not one: JSON of an object whose
 * values are text, numbers or null, with the columns a record cannot lack. Columns this version
 * does not know (a newer version's spill) are left out.
 */
export function logRowOfLine(line: string): LogRow | undefined {
  const parsed = jsonObjectOfLine(line);
  if (parsed === undefined) return undefined;
  const row: Record<string, string | number | null> = {};
  for (const [column, value] of Object.entries(parsed)) {
    if (value !== null && typeof value !== 'string' && typeof value !== 'number') return undefined;
    if (COLUMNS.has(column)) row[column] = value;
  }
  const valid =
    typeof row.id === 'string' &&
    row.id.length > 0 &&
    typeof row.created_at === 'number' &&
    typeof row.tenant === 'string' &&
    typeof row.trace_id === 'string' &&
    typeof row.status === 'number' &&
    typeof row.latency_ms === 'number';
  return valid ? row : undefined;
}

/** A line of the file, with its number (from 1) and the byte offset just after it. */
interface SpillLine {
  readonly text: string;
  readonly number: number;
  readonly end: number;
}

/** Where a read of the spill file starts: a byte offset at a line's start, and that line's number − 1. */
interface SpillPosition {
  readonly offset: number;
  readonly line: number;
}

/** The file's lines from `from` on, read in 1 MiB pieces (a large file is never held whole). */
async function* spillLinesFrom(path: string, from: SpillPosition): AsyncGenerator<SpillLine> {
  const handle = await open(path, 'r');
  try {
    const piece = Buffer.alloc(1 << 20);
    let pending = Buffer.alloc(0);
    let offset = from.offset;
    let pendingStart = offset;
    let number = from.line;
    for (;;) {
      const { bytesRead } = await handle.read(piece, 0, piece.length, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
      pending =
        pending.length === 0
          ? Buffer.from(piece.subarray(0, bytesRead))
          : Buffer.concat([pending, piece.subarray(0, bytesRead)]);
      let start = 0;
      for (let newline = pending.indexOf(0x0a); newline !== -1; newline = pending.indexOf(0x0a, start)) {
        number += 1;
        yield { text: pending.toString('utf8', start, newline), number, end: pendingStart + newline + 1 };
        start = newline + 1;
      }
      pending = pending.subarray(start);
      pendingStart += start;
    }
    // A last line without its newline: an append a crash cut short (or an edited file).
    if (pending.length > 0) yield { text: pending.toString('utf8'), number: number + 1, end: offset };
  } finally {
    await handle.close();
  }
}

/** Options of {@link startLogSpillReplay}. */
export interface LogSpillReplayOptions {
  /** The spill file. */
  readonly path: string;
  /**
   * Writes rows in one transaction, idempotently (a row whose id is stored already is skipped), and
   * says how many it inserted and how many the store refused on their own (left out).
   */
  readonly write: (rows: readonly LogRow[]) => Promise<LogRowsWritten>;
  /** Rows per write (default 500). */
  readonly batchSize?: number;
  /** The first wait after a failed write, ms (default 1000); doubled up to `maxRetryMs`. */
  readonly retryMs?: number;
  /** The longest wait between tries, ms (default 30 s). */
  readonly maxRetryMs?: number;
  /** The file was replayed and removed: what became of its lines (see {@link LogSpillOutcome}). */
  readonly onRecovered?: (outcome: LogSpillOutcome) => void;
  /** A corrupt line (skipped), or a batch not written (the store refused it, or the file could not be read; retried). */
  readonly onWarning?: (message: string) => void;
  /**
   * The row a line holds, or undefined when it is not one (default {@link logRowOfLine}): another
   * table's spill file (hooks' feedback) is replayed the same way.
   */
  readonly rowOfLine?: (line: string) => LogRow | undefined;
  /** What the file is called in warnings (default `request log spill`). */
  readonly name?: string;
}

/** What a replayed spill file's lines became. */
export interface LogSpillOutcome {
  /** Records written to the store by this replay. */
  readonly recovered: number;
  /** Records whose id was stored already (a replay cut short before; a line repeated): not written again. */
  readonly alreadyStored: number;
  /** Records the store refused on their own (each warned about): not written. */
  readonly refused: number;
  /** Lines that were not a record (each warned about). */
  readonly skippedLines: number;
}

/** A replay under way: `stop` ends it (the file stays for the next start); `finished` settles when it is over. */
export interface LogSpillReplay {
  readonly finished: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Replays a spill file into the store in the background: batches of rows written in order, the
 * file removed once every row in it was written (not when a line was added meanwhile), a corrupt
 * line skipped with a warning naming its number. A refused batch is retried after a growing wait,
 * from where it failed; a replay stopped part-way (or cut by a crash) starts over at the next start,
 * and the rows already written are skipped by their ids. No file: nothing happens but one `open`.
 */
export function startLogSpillReplay(options: LogSpillReplayOptions): LogSpillReplay {
  const batchSize = options.batchSize ?? 500;
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  const warn = options.onWarning ?? (() => undefined);
  const rowOfLine = options.rowOfLine ?? logRowOfLine;
  const name = options.name ?? 'request log spill';
  let stopped = false;
  let wake: (() => void) | undefined;
  let waitTimer: NodeJS.Timeout | undefined;
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve;
      waitTimer = setTimeout(resolve, ms);
      waitTimer.unref();
    });

  const run = async (): Promise<void> => {
    let position: SpillPosition = { offset: 0, line: 0 };
    let recovered = 0;
    let alreadyStored = 0;
    let refused = 0;
    const corrupt: number[] = [];
    const write = async (batch: readonly LogRow[]): Promise<void> => {
      const outcome = await options.write(batch);
      recovered += outcome.written;
      refused += outcome.refused;
      alreadyStored += batch.length - outcome.written - outcome.refused;
    };
    let retryMs = options.retryMs ?? 1000;
    while (!stopped) {
      try {
        let batch: LogRow[] = [];
        let batchEnd = position;
        for await (const line of spillLinesFrom(options.path, position)) {
          if (stopped) return;
          if (line.text.trim() !== '') {
            const row = rowOfLine(line.text);
            if (row !== undefined) batch.push(row);
            else if (!corrupt.includes(line.number)) {
              corrupt.push(line.number);
              warn(`${name} ${options.path}: line ${line.number} is not a record; skipped`);
            }
          }
          batchEnd = { offset: line.end, line: line.number };
          if (batch.length >= batchSize) {
            await write(batch);
            position = batchEnd;
            batch = [];
          }
        }
        if (batch.length > 0) await write(batch);
        position = batchEnd;
        if (stopped) return;
        // A line appended since (a process sharing the directory stopped): left for the next start.
        if ((await stat(options.path)).size === position.offset) await unlink(options.path);
        options.onRecovered?.({ recovered, alreadyStored, refused, skippedLines: corrupt.length });
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        if (stopped) return;
        warn(
          `${name} ${options.path}: not written yet (${(error as Error).message}); ` +
            `${recovered} written so far, the rest kept in the file; retrying in ${Math.round(retryMs / 1000)} s`,
        );
        await pause(retryMs);
        retryMs = Math.min(retryMs * 2, maxRetryMs);
      }
    }
  };
  const finished = run();
  return {
    finished,
    async stop() {
      stopped = true;
      clearTimeout(waitTimer);
      wake?.();
      await finished;
    },
  };
}
