import type { Selectable } from 'kysely';
import type { FeedbackTable } from '../database/schema.js';
import { StoreError } from '../errors.js';
import { newId } from '../ids.js';
import {
  type CreateFeedbackInput,
  createFeedbackInputSchema,
  parseInput,
  type UpdateFeedbackInput,
  updateFeedbackInputSchema,
} from './inputs.js';
import { isoOrNull, parseJson, read, type StoreContext, toStoreError } from './store-context.js';

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

/**
 * Feedback on traces (Portkey's `/v1/feedback`), scoped by tenant: a key sees and changes only its
 * own tenant's. Data, not configuration: it is not audited and does not reload snapshots.
 */
export class FeedbackRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  /** Saves one or more pieces of feedback in one transaction; ids come back in input order. */
  async create(inputs: readonly CreateFeedbackInput[]): Promise<FeedbackRecord[]> {
    const now = this.#context.now();
    const rows: Row[] = inputs.map((input, index) => {
      const parsed = parseInput(
        createFeedbackInputSchema,
        input,
        inputs.length > 1 ? `feedback ${index}` : 'feedback',
      );
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
    });
    if (rows.length === 0) return [];
    try {
      await this.#context.db.insertInto('feedback').values(rows).execute();
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

  /** The feedback on one trace, oldest first; only the given tenant's unless `tenant` is omitted (admin). */
  async listByTrace(traceId: string, tenant?: string): Promise<FeedbackRecord[]> {
    return read(async () => {
      let query = this.#context.db.selectFrom('feedback').selectAll().where('trace_id', '=', traceId);
      if (tenant !== undefined) query = query.where('tenant', '=', tenant);
      const rows = await query.orderBy('created_at').orderBy('id').execute();
      return rows.map(toRecord);
    });
  }
}
