import type { Kysely, Selectable } from 'kysely';
import type { Database, FeedbackTable } from '../database/schema.js';
import { StoreError } from '../errors.js';
import { newId } from '../ids.js';
import { jsonObjectOfLine } from '../request-logs/log-spill.js';
import { BatchedTableWrites } from './batched-table-writes.js';
import {
  type CreateFeedbackInput,
  createFeedbackInputSchema,
  parseInput,
  type UpdateFeedbackInput,
  updateFeedbackInputSchema,
} from './inputs.js';
import {
  isoOrNull,
  isUnavailableError,
  parseJson,
  read,
  type StoreContext,
  toStoreError,
} from './store-context.js';

/** Feedback as reads return it. */
export interface FeedbackRecord {
  readonly id: string;
  readonly traceId: string;
  readonly value: number;
  readonly weight: number;
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly tenant: string;
  readonly gatewayKeyId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

type Row = Selectable<FeedbackTable>;

/** A `feedback` row by column name, as a spill file's line holds it. */
export type FeedbackRow = Row;

/** The spill file of hooks' feedback the database still refused at shutdown (beside the request log's). */
export const FEEDBACK_SPILL_FILE = 'hook-feedback-spill.jsonl';

/** The `feedback` row a spill file's line holds, or undefined when it is not one. */
export function feedbackRowOfLine(line: string): FeedbackRow | undefined {
  const row = jsonObjectOfLine(line);
  if (row === undefined) return undefined;
  const text = (value: unknown): value is string => typeof value === 'string';
  const number = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
  const { id, trace_id, value, weight, metadata, tenant, gateway_key_id, created_at, updated_at } = row;
  if (
    !text(id) ||
    id === '' ||
    !text(trace_id) ||
    !number(value) ||
    !number(weight) ||
    !(metadata === null || text(metadata)) ||
    !text(tenant) ||
    !(gateway_key_id === null || text(gateway_key_id)) ||
    !number(created_at) ||
    !number(updated_at)
  )
    return undefined;
  return { id, trace_id, value, weight, metadata, tenant, gateway_key_id, created_at, updated_at };
}

function toRecord(row: Row): FeedbackRecord {
  return {
    id: row.id,
    traceId: row.trace_id,
    value: row.value,
    weight: row.weight,
    metadata: parseJson<Record<string, string>>(row.metadata),
    tenant: row.tenant,
    gatewayKeyId: row.gateway_key_id,
    createdAt: isoOrNull(row.created_at) ?? '',
    updatedAt: isoOrNull(row.updated_at) ?? '',
  };
}

/** Portkey's rules: a weight outside 0…1, or none, is 1. */
function weightOf(weight: number | undefined): number {
  return weight !== undefined && Number.isFinite(weight) && weight >= 0 && weight <= 1 ? weight : 1;
}

/** Portkey's rules: metadata keys and values become text cut to 128 characters. */
function metadataOf(metadata: Record<string, unknown> | null | undefined): string | null {
  if (!metadata) return null;
  const cut: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    cut[key.slice(0, 128)] = (typeof value === 'string' ? value : (JSON.stringify(value) ?? '')).slice(
      0,
      128,
    );
  }
  return JSON.stringify(cut);
}

/** Rows per insert statement of queued feedback (9 columns). */
const ROWS_PER_STATEMENT = 500;

/** Pieces of feedback {@link FeedbackRepository.record} holds at most; beyond, new ones are dropped. */
export const MAX_QUEUED_FEEDBACK = 10_000;

/** How feedback given off the request path ({@link FeedbackRepository.record}) is written. */
export interface FeedbackQueueOptions {
  /** A batch is written at least this often, ms (default 1000, as the request log's). */
  readonly flushMs?: number;
  /** Pieces held at most while the database does not take them (default {@link MAX_QUEUED_FEEDBACK}). */
  readonly capacity?: number;
  /** A batch the database refused (kept and retried at the next flush). */
  readonly onError: (error: unknown) => void;
  /** A piece dropped because the queue was full, with the count since start. */
  readonly onDropped?: (dropped: number) => void;
}

/** Inserts queued rows in one transaction; a row whose id is stored already is skipped (a retried batch). */
async function insertQueued(db: Kysely<Database>, batch: ReadonlyMap<string, Row>): Promise<void> {
  const rows = [...batch.values()];
  await db.transaction().execute(async (transaction) => {
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      await transaction
        .insertInto('feedback')
        .values(rows.slice(start, start + ROWS_PER_STATEMENT))
        .onConflict((conflict) => conflict.column('id').doNothing())
        .execute();
    }
  });
}

/**
 * Feedback on traces (Portkey's `/v1/feedback`), scoped by tenant: a key sees and changes only its
 * own tenant's. Data, not configuration: it is not audited and does not reload snapshots.
 */
export class FeedbackRepository {
  readonly #context: StoreContext;
  readonly #queue: FeedbackQueueOptions | undefined;
  /** Made by the first {@link record} (no timer for a store that never gets any). */
  #writes: BatchedTableWrites<Row> | undefined;
  #dropped = 0;

  constructor(context: StoreContext, queue?: FeedbackQueueOptions) {
    this.#context = context;
    this.#queue = queue;
  }

  /** A row from an input, or a {@link StoreError} `invalid` naming what is wrong. */
  #rowOf(input: CreateFeedbackInput, what: string, now: number): Row {
    const parsed = parseInput(createFeedbackInputSchema, input, what);
    return {
      id: newId(),
      trace_id: parsed.traceId,
      value: parsed.value,
      weight: weightOf(parsed.weight),
      metadata: metadataOf(parsed.metadata),
      tenant: parsed.tenant,
      gateway_key_id: parsed.gatewayKeyId ?? null,
      created_at: now,
      updated_at: now,
    };
  }

  /**
   * Queues one piece of feedback, off the request path (a hook's `on_fail` / `on_success`): the same
   * checks and row as {@link create}, written with others in one transaction every second. A batch
   * the database refuses is kept and retried at the next flush (an insert is idempotent: a retried
   * batch whose commit was lost adds nothing twice); while {@link MAX_QUEUED_FEEDBACK} pieces wait,
   * new ones are dropped and told to `onDropped`. Answers the id it will have; throws `invalid` as
   * {@link create} does.
   */
  record(input: CreateFeedbackInput): string {
    const row = this.#rowOf(input, 'feedback', this.#context.now());
    const writes = this.#queued();
    if (writes.pending.size >= (this.#queue?.capacity ?? MAX_QUEUED_FEEDBACK)) {
      this.#dropped += 1;
      this.#queue?.onDropped?.(this.#dropped);
      return row.id;
    }
    writes.record(row.id, row);
    return row.id;
  }

  #queued(): BatchedTableWrites<Row> {
    if (this.#writes === undefined) {
      this.#writes = new BatchedTableWrites<Row>({
        db: this.#context.db,
        engine: this.#context.engine,
        flushMs: this.#queue?.flushMs ?? 1000,
        onError: (error) => this.#queue?.onError(error),
        merge: (pending, id, row) => pending.set(id, row),
        write: insertQueued,
      });
    }
    return this.#writes;
  }

  /** Writes the queued feedback now (a failed write keeps it for the next flush; never rejects). */
  async flush(): Promise<void> {
    await this.#writes?.flush();
  }

  /** Stops the queue's timer and writes what is left; answers the rows that could not be written. */
  async close(): Promise<FeedbackRow[]> {
    const left = await this.#writes?.close();
    return left === undefined ? [] : [...left.values()];
  }

  /**
   * Writes whole rows (a spill file's, see {@link feedbackRowOfLine}) in one transaction, skipping
   * those whose id is stored already. Should the database refuse the batch for a reason other than
   * being unreachable, each row is written on its own and those it still refuses are left out.
   */
  async writeRows(rows: readonly FeedbackRow[]): Promise<{ written: number; refused: number }> {
    const insert = async (some: readonly FeedbackRow[]): Promise<number> => {
      let written = 0;
      await this.#context.db.transaction().execute(async (transaction) => {
        for (let start = 0; start < some.length; start += ROWS_PER_STATEMENT) {
          const result = await transaction
            .insertInto('feedback')
            .values(some.slice(start, start + ROWS_PER_STATEMENT))
            .onConflict((conflict) => conflict.column('id').doNothing())
            .executeTakeFirst();
          written += Number(result.numInsertedOrUpdatedRows ?? 0n);
        }
      });
      return written;
    };
    if (rows.length === 0) return { written: 0, refused: 0 };
    try {
      return { written: await insert(rows), refused: 0 };
    } catch (error) {
      if (isUnavailableError(error)) throw error;
      let written = 0;
      let refused = 0;
      for (const row of rows) {
        try {
          written += await insert([row]);
        } catch (one) {
          if (isUnavailableError(one)) throw one;
          refused += 1;
        }
      }
      return { written, refused };
    }
  }

  /** Saves one or more pieces of feedback in one transaction (all or none); ids come back in input order. */
  async create(inputs: readonly CreateFeedbackInput[]): Promise<FeedbackRecord[]> {
    const now = this.#context.now();
    const rows: Row[] = inputs.map((input, index) =>
      this.#rowOf(input, inputs.length > 1 ? `feedback ${index}` : 'feedback', now),
    );
    if (rows.length === 0) return [];
    try {
      // In statements of ROWS_PER_STATEMENT rows: one statement of all of them (a script's 10,000
      // pieces) passed SQLite's and PostgreSQL's limits on bound values and answered a 500.
      await this.#context.db.transaction().execute(async (transaction) => {
        for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT)
          await transaction
            .insertInto('feedback')
            .values(rows.slice(start, start + ROWS_PER_STATEMENT))
            .execute();
      });
    } catch (error) {
      throw toStoreError(error);
    }
    return rows.map(toRecord);
  }

  /**
   * Rewrites value and weight (an omitted weight becomes 1) and, when given, metadata; the trace is
   * kept. Feedback of another tenant is `not_found`, as if it did not exist.
   */
  async update(id: string, input: UpdateFeedbackInput): Promise<FeedbackRecord> {
    const parsed = parseInput(updateFeedbackInputSchema, input, 'feedback');
    const now = this.#context.now();
    return read(async () => {
      const row = await this.#context.db
        .selectFrom('feedback')
        .selectAll()
        .where('id', '=', id)
        .where('tenant', '=', parsed.tenant)
        .executeTakeFirst();
      if (!row) throw new StoreError('not_found', `no feedback has the id "${id}"`);
      const next: Row = {
        ...row,
        value: parsed.value,
        weight: weightOf(parsed.weight),
        ...(parsed.metadata === undefined ? {} : { metadata: metadataOf(parsed.metadata) }),
        updated_at: now,
      };
      await this.#context.db.updateTable('feedback').set(next).where('id', '=', id).execute();
      return toRecord(next);
    });
  }

  /** The feedback on one trace, oldest first (queued feedback written first); only the given tenant's unless `tenant` is omitted (admin). */
  async listByTrace(traceId: string, tenant?: string): Promise<FeedbackRecord[]> {
    // What this process queued (hooks' feedback) is read too.
    await this.flush();
    return read(async () => {
      let query = this.#context.db.selectFrom('feedback').selectAll().where('trace_id', '=', traceId);
      if (tenant !== undefined) query = query.where('tenant', '=', tenant);
      const rows = await query.orderBy('created_at').orderBy('id').execute();
      return rows.map(toRecord);
    });
  }
}
