import {
  type LogSpillOutcome,
  type LogWriterStats,
  type RequestLogWriter,
  type Store,
  startLogSpillReplay,
} from '@pk/store';
import type { FastifyInstance } from 'fastify';
import { logStoreListener } from './log-store-subscriber.js';

/** The request log store as the app gets it (`server.ts` builds the writer over the store). */
export interface RequestLogDependencies {
  readonly writer: RequestLogWriter;
  /** `PK_LOG_BODIES`: keep request and response bodies (64 KiB each). */
  readonly bodies?: boolean;
  /** `PK_LOG_RETENTION_DAYS` (default 30). */
  readonly retentionDays?: number;
  /** How often retention runs, ms (default 10 minutes; the first run a minute after start). */
  readonly retentionEveryMs?: number;
  /** `PK_PUBLIC_URL`: where links the gateway hands out point (log export downloads). */
  readonly publicUrl?: string | undefined;
  /**
   * The spill file the writer appends to when it stops with records the store refused
   * (`PK_DATA_DIR/request-log-spill.jsonl`): replayed into the store in the background from the
   * start, and removed once every record in it was written.
   */
  readonly spillFile?: string | undefined;
}

/** What metrics read of the log queue (`app.logQueue`): depth, drops and records written. */
export interface LogQueue {
  stats(): LogWriterStats;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The request log's queue, or null when the log store is off (`PK_LOG_STORE=off`, no store). */
    logQueue: LogQueue | null;
  }
}

const DAY_MS = 86_400_000;

/**
 * The line that says what a replayed spill file gave back: the records written now, and apart
 * from them those not written (stored already by a replay cut short, refused by the store).
 */
export function spillRecoveredMessage(outcome: LogSpillOutcome): string {
  const records = (count: number): string => `${count} ${count === 1 ? 'record' : 'records'}`;
  const notWritten: string[] = [];
  if (outcome.alreadyStored > 0) notWritten.push(`${records(outcome.alreadyStored)} stored already`);
  if (outcome.refused > 0) notWritten.push(`${records(outcome.refused)} refused by the store`);
  return (
    `request log spill: ${records(outcome.recovered)} recovered into the store` +
    (notWritten.length > 0 ? `; not written: ${notWritten.join(', ')}` : '')
  );
}

/**
 * Subscribes the log store to request ends, runs retention in the background (small batches, then
 * the SQLite file's free pages given back), and writes what is queued when the app closes (SIGTERM).
 */
export function attachRequestLogStore(
  app: FastifyInstance,
  store: Store,
  dependencies: RequestLogDependencies,
): void {
  const { writer } = dependencies;
  const records = logStoreListener(writer, { bodies: dependencies.bodies === true });
  app.onRequestEnd(records.listener);
  const retentionMs = (dependencies.retentionDays ?? 30) * DAY_MS;
  let running = false;
  const retain = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const cutoff = Date.now() - retentionMs;
      // Log exports hold copies of records: they go when the records they could hold have gone.
      const exports = await store.logExports.deleteCreatedBefore(cutoff);
      if (exports > 0) app.log.info({ exports }, 'request log retention: old log exports deleted');
      const deleted = await writer.deleteBefore(cutoff, 1000);
      if (deleted > 0) {
        await store.reclaimSpace();
        app.log.info({ deleted }, 'request log retention: old records deleted');
      }
    } catch (error) {
      app.log.warn(
        { err: { message: (error as Error).message } },
        'request log retention failed; retrying later',
      );
    } finally {
      running = false;
    }
  };
  const every = dependencies.retentionEveryMs ?? 600_000;
  const first = setTimeout(() => void retain(), Math.min(60_000, every));
  first.unref();
  const timer = setInterval(() => void retain(), every);
  timer.unref();
  const spillFile = dependencies.spillFile;
  const replay =
    spillFile === undefined
      ? undefined
      : startLogSpillReplay({
          path: spillFile,
          write: (rows) =>
            store.writeLogRows(rows, (row, error) =>
              app.log.warn(
                { err: { message: (error as Error).message }, id: row.id },
                'request log spill: the store refused a record on its own; skipped',
              ),
            ),
          onRecovered: (outcome) =>
            app.log.info({ ...outcome, file: spillFile }, spillRecoveredMessage(outcome)),
          onWarning: (message) => app.log.warn(message),
        });
  app.addHook('onClose', async () => {
    clearTimeout(first);
    clearInterval(timer);
    // Before the writer spills: a replay cut short leaves the file whole for the next start.
    await replay?.stop();
    // Records still waiting for `async` hooks are written with the results they have.
    records.flush();
    await writer.close();
  });
}
