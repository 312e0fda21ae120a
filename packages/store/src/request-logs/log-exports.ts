import { createHash } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, LogExportsTable } from '../database/schema.js';
import { StoreError } from '../errors.js';
import { newId } from '../ids.js';
import { isoOrNull, read, type StoreContext, toStoreError } from '../repositories/store-context.js';

/** Where an export is: Portkey's statuses. */
export type LogExportStatus = 'draft' | 'in_progress' | 'success' | 'failed' | 'stopped';

/**
 * A running export that has not reported progress for this long is taken as interrupted (the
 * process running it stopped or lost the database): reads show it `failed`, and it may be started
 * again. The job reports after every page of records it reads, many times a second.
 */
export const LOG_EXPORT_STALE_MS = 120_000;

/** An export as reads return it. */
export interface LogExportRecord {
  readonly id: string;
  /** The tenant whose records it exports; null: every tenant's. */
  readonly tenant: string | null;
  readonly createdBy: string | null;
  readonly description: string;
  readonly filters: Readonly<Record<string, unknown>>;
  readonly requestedData: readonly string[];
  readonly status: LogExportStatus;
  /** Records in the finished export; null until it finished. */
  readonly total: number | null;
  /** Records written so far. */
  readonly exported: number;
  /** Why it failed, if it did. */
  readonly error: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The run a start made (its job names it in `progress` and `finish`); null before the first. */
  readonly run: string | null;
}

/** A run of an export, as `start` returned it: what its job reports progress and its end with. */
export interface LogExportRun {
  readonly id: string;
  readonly run: string | null;
}

/** What a new export (or a change of a draft) takes; validated by the caller, checked again here. */
export interface LogExportInput {
  readonly description?: string | undefined;
  readonly filters?: Readonly<Record<string, unknown>> | undefined;
  readonly requestedData?: readonly string[] | undefined;
}

type Row = Selectable<LogExportsTable>;

const STARTABLE: readonly LogExportStatus[] = ['draft', 'failed', 'stopped'];

/** A draft's state: not run, nothing written, no download link (a new export, or a changed one). */
const DRAFT = {
  status: 'draft',
  total: null,
  exported: 0,
  error: null,
  download_token_hash: null,
  download_expires_at: null,
} as const satisfies Partial<Row>;

function invalid(path: string, message: string): StoreError {
  return new StoreError('invalid', message, { issues: [{ path, message }] });
}

function checkedInput(input: LogExportInput): LogExportInput {
  if (
    input.description !== undefined &&
    (typeof input.description !== 'string' || input.description.length > 1000)
  )
    throw invalid('description', 'description must be text of at most 1,000 characters');
  if (
    input.filters !== undefined &&
    (typeof input.filters !== 'object' || input.filters === null || Array.isArray(input.filters))
  )
    throw invalid('filters', 'filters must be an object');
  if (
    input.requestedData !== undefined &&
    (!Array.isArray(input.requestedData) ||
      input.requestedData.length === 0 ||
      input.requestedData.length > 64 ||
      !input.requestedData.every((name) => typeof name === 'string' && name.length > 0 && name.length <= 64))
  )
    throw invalid('requested_data', 'requested_data must list 1 to 64 field names');
  return input;
}

/** The SHA-256 of a download token (the token itself is never stored). */
export function hashDownloadToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Log export jobs and the JSONL they wrote. Scoped like the logs: `tenant` undefined (an admin key)
 * sees every export, a tenant only its own. Data, not configuration: not audited, no snapshot reload.
 * The job that fills an export runs in the gateway (it reads the log through `store.logs`); this
 * keeps its state so that any replica can report on it and serve its file.
 */
export class LogExportRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  get #db(): Kysely<Database> {
    return this.#context.db;
  }

  #toRecord(row: Row): LogExportRecord {
    const stale = row.status === 'in_progress' && row.updated_at < this.#context.now() - LOG_EXPORT_STALE_MS;
    return {
      id: row.id,
      tenant: row.tenant,
      createdBy: row.created_by,
      description: row.description,
      filters: JSON.parse(row.filters) as Record<string, unknown>,
      requestedData: JSON.parse(row.requested_data) as string[],
      status: stale ? 'failed' : (row.status as LogExportStatus),
      total: row.total,
      exported: row.exported,
      error: stale ? 'interrupted: the gateway running it stopped; start it again' : row.error,
      createdAt: isoOrNull(row.created_at) ?? '',
      updatedAt: isoOrNull(row.updated_at) ?? '',
      run: row.run_id,
    };
  }

  async #row(id: string, tenant: string | undefined): Promise<Row | undefined> {
    let query = this.#db.selectFrom('log_exports').selectAll().where('id', '=', id);
    if (tenant !== undefined) query = query.where('tenant', '=', tenant);
    return read(() => query.executeTakeFirst());
  }

  async #existing(id: string, tenant: string | undefined): Promise<Row> {
    const row = await this.#row(id, tenant);
    if (row === undefined) throw new StoreError('not_found', `no log export has the id "${id}"`);
    return row;
  }

  /** A new export, a `draft`: nothing is read until it is started. */
  async create(
    input: LogExportInput & { readonly tenant: string | null; readonly createdBy?: string | null },
  ): Promise<LogExportRecord> {
    checkedInput(input);
    if (input.filters === undefined) throw invalid('filters', 'filters are required (an object)');
    if (input.requestedData === undefined)
      throw invalid('requested_data', 'requested_data is required (the fields each line has)');
    const now = this.#context.now();
    const row: Row = {
      id: newId(),
      tenant: input.tenant,
      created_by: input.createdBy ?? null,
      description: input.description ?? '',
      filters: JSON.stringify(input.filters),
      requested_data: JSON.stringify(input.requestedData),
      ...DRAFT,
      created_at: now,
      updated_at: now,
      run_id: null,
    };
    await read(() => this.#db.insertInto('log_exports').values(row).execute());
    return this.#toRecord(row);
  }

  async get(id: string, tenant?: string): Promise<LogExportRecord | undefined> {
    const row = await this.#row(id, tenant);
    return row === undefined ? undefined : this.#toRecord(row);
  }

  /** Newest first, at most 1,000. */
  async list(tenant?: string): Promise<LogExportRecord[]> {
    let query = this.#db.selectFrom('log_exports').selectAll();
    if (tenant !== undefined) query = query.where('tenant', '=', tenant);
    const rows = await read(() =>
      query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1000).execute(),
    );
    return rows.map((row) => this.#toRecord(row));
  }

  /**
   * Changes an export that is not running; it becomes a `draft` again and what it wrote is dropped
   * (its file no longer matches its filters). A running one is a `conflict`: cancel it first.
   */
  async update(id: string, tenant: string | undefined, input: LogExportInput): Promise<LogExportRecord> {
    checkedInput(input);
    const row = await this.#existing(id, tenant);
    if (this.#toRecord(row).status === 'in_progress')
      throw new StoreError('conflict', `the log export "${id}" is running: cancel it before changing it`);
    const next: Row = {
      ...row,
      description: input.description ?? row.description,
      filters: input.filters === undefined ? row.filters : JSON.stringify(input.filters),
      requested_data:
        input.requestedData === undefined ? row.requested_data : JSON.stringify(input.requestedData),
      ...DRAFT,
      updated_at: this.#context.now(),
    };
    await this.#write(async (db) => {
      await db.deleteFrom('log_export_parts').where('export_id', '=', id).execute();
      await db.updateTable('log_exports').set(next).where('id', '=', id).execute();
    });
    return this.#toRecord(next);
  }

  /**
   * Marks an export `in_progress` for the caller's job, from `draft`, `failed` or `stopped` (or a run
   * that was interrupted), dropping what an earlier run wrote; one caller wins when several start it
   * at once. Anything else is a `conflict`.
   */
  async start(id: string, tenant: string | undefined): Promise<LogExportRecord> {
    const row = await this.#existing(id, tenant);
    const status = this.#toRecord(row).status;
    if (!STARTABLE.includes(status))
      throw new StoreError(
        'conflict',
        status === 'in_progress'
          ? `the log export "${id}" is already running`
          : `the log export "${id}" has finished; create a new export (or change this one) to export again`,
      );
    const now = this.#context.now();
    const run = newId();
    const claimed = await this.#write(async (db) => {
      const result = await db
        .updateTable('log_exports')
        .set({ status: 'in_progress', total: null, exported: 0, error: null, updated_at: now, run_id: run })
        .where('id', '=', id)
        .where('status', '=', row.status)
        .where('updated_at', '=', row.updated_at)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await db.deleteFrom('log_export_parts').where('export_id', '=', id).execute();
      return true;
    });
    if (!claimed) throw new StoreError('conflict', `the log export "${id}" was started or changed meanwhile`);
    return this.#toRecord({
      ...row,
      status: 'in_progress',
      total: null,
      exported: 0,
      error: null,
      updated_at: now,
      run_id: run,
    });
  }

  /**
   * The running job's progress: `exported` records so far, and the next part of its file when it has
   * one (`part` counts from 0). False when `run` is no longer the export's running one (cancelled, or
   * started again after it looked interrupted or was cancelled): the job stops, having written nothing.
   */
  async progress(
    run: LogExportRun,
    exported: number,
    part?: { readonly index: number; readonly body: string },
  ): Promise<boolean> {
    const now = this.#context.now();
    return this.#write(async (db) => {
      const result = await db
        .updateTable('log_exports')
        .set({ exported, updated_at: now })
        .where('id', '=', run.id)
        .where('status', '=', 'in_progress')
        .where('run_id', '=', run.run)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      if (part !== undefined)
        await db
          .insertInto('log_export_parts')
          .values({ export_id: run.id, part: part.index, body: part.body })
          .execute();
      return true;
    });
  }

  /** The run's end: `success` with its total, or `failed` with why. False when it was no longer running. */
  async finish(
    run: LogExportRun,
    outcome: { readonly total: number } | { readonly error: string },
  ): Promise<boolean> {
    const change =
      'total' in outcome
        ? { status: 'success', total: outcome.total, exported: outcome.total }
        : { status: 'failed', error: outcome.error.slice(0, 1000) };
    const result = await read(() =>
      this.#db
        .updateTable('log_exports')
        .set({ ...change, updated_at: this.#context.now() })
        .where('id', '=', run.id)
        .where('status', '=', 'in_progress')
        .where('run_id', '=', run.run)
        .executeTakeFirst(),
    );
    return result.numUpdatedRows > 0n;
  }

  /** Stops a running export (`stopped`); its job notices at its next page. Not running: `conflict`. */
  async cancel(id: string, tenant: string | undefined): Promise<LogExportRecord> {
    const row = await this.#existing(id, tenant);
    if (this.#toRecord(row).status !== 'in_progress')
      throw new StoreError(
        'conflict',
        `the log export "${id}" is not running (it is ${this.#toRecord(row).status})`,
      );
    const now = this.#context.now();
    const result = await read(() =>
      this.#db
        .updateTable('log_exports')
        .set({ status: 'stopped', updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'in_progress')
        .executeTakeFirst(),
    );
    if (result.numUpdatedRows === 0n)
      throw new StoreError('conflict', `the log export "${id}" is not running`);
    return this.#toRecord({ ...row, status: 'stopped', updated_at: now });
  }

  /**
   * Records a new download token for a finished export (replacing the previous link), valid until
   * `expiresAt`. Not finished: `conflict`.
   */
  async setDownloadToken(
    id: string,
    tenant: string | undefined,
    token: string,
    expiresAt: number,
  ): Promise<void> {
    const row = await this.#existing(id, tenant);
    const status = this.#toRecord(row).status;
    if (status !== 'success')
      throw new StoreError(
        'conflict',
        `the log export "${id}" is ${status}: it can be downloaded once its status is success`,
      );
    await read(() =>
      this.#db
        .updateTable('log_exports')
        .set({ download_token_hash: hashDownloadToken(token), download_expires_at: expiresAt })
        .where('id', '=', id)
        .execute(),
    );
  }

  /** Whether `token` is the current, unexpired download token of a finished export. */
  async acceptsDownloadToken(id: string, token: string): Promise<boolean> {
    const row = await this.#row(id, undefined);
    return (
      row !== undefined &&
      row.status === 'success' &&
      row.download_token_hash !== null &&
      row.download_token_hash === hashDownloadToken(token) &&
      (row.download_expires_at ?? 0) > this.#context.now()
    );
  }

  /** The export's file, part by part (one part in memory at a time). */
  async *parts(id: string): AsyncGenerator<string> {
    for (let index = 0; ; index += 1) {
      const row = await read(() =>
        this.#db
          .selectFrom('log_export_parts')
          .select('body')
          .where('export_id', '=', id)
          .where('part', '=', index)
          .executeTakeFirst(),
      );
      if (row === undefined) return;
      yield row.body;
    }
  }

  /** Deletes an export and its file; a running one stops at its next page. */
  async delete(id: string, tenant: string | undefined): Promise<void> {
    await this.#existing(id, tenant);
    await this.#write(async (db) => {
      await db.deleteFrom('log_export_parts').where('export_id', '=', id).execute();
      await db.deleteFrom('log_exports').where('id', '=', id).execute();
    });
  }

  /**
   * Deletes the exports made before `time` that are not running, with their files (log retention:
   * an export holds copies of records, which should not outlive them). Resolves to how many.
   */
  async deleteCreatedBefore(time: number): Promise<number> {
    return this.#write(async (db) => {
      const old = db
        .selectFrom('log_exports')
        .select('id')
        .where('created_at', '<', time)
        .where('status', '!=', 'in_progress');
      await db.deleteFrom('log_export_parts').where('export_id', 'in', old).execute();
      const result = await db
        .deleteFrom('log_exports')
        .where('created_at', '<', time)
        .where('status', '!=', 'in_progress')
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  async #write<T>(change: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    try {
      return await this.#db.transaction().execute(change);
    } catch (error) {
      throw toStoreError(error);
    }
  }
}
