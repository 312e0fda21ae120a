import { PkError } from '@pk/config';
import type { LogExportRecord, Store } from '@pk/store';
import { exportPlanOf } from './export-filters.js';
import { exportLineOf, needsBodies } from './export-lines.js';

/** Records read per page of the log (the log API's largest page). */
const PAGE_RECORDS = 500;
/** Records per page when the bodies are exported (each up to 64 KiB twice). */
const PAGE_RECORDS_WITH_BODIES = 50;
/** A part of an export's file is written once it holds this much text (and at the end). */
const PART_CHARS = 1024 * 1024;
/** Exports one gateway process runs at once. */
export const MAX_RUNNING_EXPORTS = 2;

/** What a job reports when it ends (for the gateway's log; never a record's content). */
export interface ExportOutcome {
  readonly id: string;
  readonly status: 'success' | 'failed' | 'stopped';
  readonly total: number;
  readonly error?: string;
}

/**
 * Runs log exports in the background of the process that started them: reads the log page by page
 * with the export's filter, newest first, up to the moment it started (records logged later are not
 * in it), writes JSONL parts to the store, and reports progress after every page (a cancel is seen
 * there). `close` stops the running jobs and marks them failed, so a restart is visible and they can
 * be started again.
 */
export class LogExportRunner {
  readonly #store: Store;
  readonly #onEnd: (outcome: ExportOutcome) => void;
  readonly #running = new Map<string, Promise<void>>();
  #closing = false;

  constructor(store: Store, onEnd: (outcome: ExportOutcome) => void = () => undefined) {
    this.#store = store;
    this.#onEnd = onEnd;
  }

  /** Exports this process is running. */
  get running(): number {
    return this.#running.size;
  }

  /**
   * Starts an export (the store decides whether it may start: `conflict` otherwise) and returns once
   * it is `in_progress`; the job goes on in the background.
   */
  async start(id: string, tenant: string | undefined): Promise<LogExportRecord> {
    if (this.#closing) throw new PkError('PK_ERR_STORE_UNAVAILABLE', 'the gateway is shutting down');
    if (this.#running.size >= MAX_RUNNING_EXPORTS)
      throw new PkError(
        'PK_ERR_CONFLICT',
        `${MAX_RUNNING_EXPORTS} exports are running on this gateway; start this one when one of them has finished`,
      );
    const existing = await this.#store.logExports.get(id, tenant);
    // The filters were checked when saved; checked again in case pk's rules changed since.
    if (existing) exportPlanOf(existing.filters, existing.tenant ?? undefined);
    const record = await this.#store.logExports.start(id, tenant);
    const job: Promise<void> = this.#run(record)
      .catch(() => undefined)
      .finally(() => {
        // A cancelled run may end after the export was started again here: the new job stays counted.
        if (this.#running.get(id) === job) this.#running.delete(id);
      });
    this.#running.set(id, job);
    return record;
  }

  async #run(record: LogExportRecord): Promise<void> {
    const exports = this.#store.logExports;
    const startedAt = Date.now();
    const stopped = () => this.#onEnd({ id: record.id, status: 'stopped', total: written });
    let written = 0;
    try {
      const plan = exportPlanOf(record.filters, record.tenant ?? undefined);
      const fields = record.requestedData;
      const withBodies = needsBodies(fields);
      const to = plan.filter.to === undefined ? startedAt : Math.min(plan.filter.to, startedAt);
      let matched = 0;
      let part = 0;
      let buffer = '';
      /** Writes the buffer as the next part; false when the export is no longer running. */
      const flush = async (): Promise<boolean> => {
        const going = await exports.progress(record, written, { index: part, body: buffer });
        part += 1;
        buffer = '';
        return going;
      };
      let cursor: string | undefined;
      for (;;) {
        if (this.#closing) throw new Error('the gateway stopped while exporting; start it again');
        const page = await this.#store.logs.list({
          ...plan.filter,
          to,
          limit: withBodies ? PAGE_RECORDS_WITH_BODIES : PAGE_RECORDS,
          cursor,
          withBodies,
        });
        const partsBefore = part;
        for (const stored of page.records) {
          if (written >= plan.limit) break;
          if (!plan.accepts(stored)) continue;
          matched += 1;
          if (matched <= plan.skip) continue;
          buffer += `${exportLineOf(stored, fields)}\n`;
          written += 1;
          if (buffer.length >= PART_CHARS && !(await flush())) return stopped();
        }
        // A page that filled no part still reports progress (the export's heartbeat, where a cancel is seen).
        if (part === partsBefore && !(await exports.progress(record, written))) return stopped();
        cursor = page.nextCursor ?? undefined;
        if (cursor === undefined || written >= plan.limit) break;
      }
      if (buffer.length > 0 && !(await flush())) return stopped();
      if (await exports.finish(record, { total: written }))
        this.#onEnd({ id: record.id, status: 'success', total: written });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // The store may be what failed: then the export shows as interrupted once its heartbeat is old.
      await exports.finish(record, { error: message }).catch(() => undefined);
      this.#onEnd({ id: record.id, status: 'failed', total: written, error: message });
    }
  }

  /** Stops the running jobs (each at its next page) and waits for them to record why. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.#running.values());
  }
}
