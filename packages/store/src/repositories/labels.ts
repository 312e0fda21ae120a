import type { Selectable, Transaction } from 'kysely';
import type { Database, LabelsTable } from '../database/schema.js';
import { StoreError } from '../errors.js';
import { newId } from '../ids.js';
import {
  type Actor,
  isoOrNull,
  notFoundError,
  read,
  recordAudit,
  type StoreContext,
  writeTransaction,
} from './store-context.js';

/** A prompt label as reads return it. */
export interface LabelRecord {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly colorCode: string | null;
  /** `production`, `staging` and `development`: in every store, never changed or deleted. */
  readonly isUniversal: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What a label is made or changed with: Portkey's body (snake_case), as sent. */
export interface LabelInput {
  readonly name?: unknown;
  readonly description?: unknown;
  readonly color_code?: unknown;
}

type Row = Selectable<LabelsTable>;

/**
 * A label's name: what follows `@` in a prompt reference, so neither `latest`, `default` nor a
 * number (those name versions), and letters, digits, `_` and `-` only.
 */
export const LABEL_NAME_PATTERN = /^(?!latest$)(?!default$)(?![0-9]+$)[A-Za-z0-9_-]{1,64}$/;

function toRecord(row: Row): LabelRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    colorCode: row.color_code,
    isUniversal: row.is_universal === 1,
    createdAt: isoOrNull(row.created_at) ?? '',
    updatedAt: isoOrNull(row.updated_at) ?? '',
  };
}

function invalid(path: string, message: string): StoreError {
  return new StoreError('invalid', message, { issues: [{ path, message }] });
}

function checkedName(name: unknown): string {
  if (typeof name !== 'string' || !LABEL_NAME_PATTERN.test(name))
    throw invalid(
      'name',
      'name: 1 to 64 letters, digits, _ or -, and not latest, default or a number (a label is named after @ in a prompt reference)',
    );
  return name;
}

function optionalText(value: unknown, path: string, max: number): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value !== 'string' || value.length > max)
    throw invalid(path, `${path} must be text of at most ${max} characters`);
  return value;
}

/** The label `reference` names (its id or its name), in `database` (a transaction's, or the store's). */
export async function findLabel(
  database: Transaction<Database> | StoreContext['db'],
  reference: string,
): Promise<Row | undefined> {
  return database
    .selectFrom('labels')
    .selectAll()
    .where((expression) =>
      expression.or([expression('id', '=', reference), expression('name', '=', reference)]),
    )
    .executeTakeFirst();
}

/**
 * Portkey's prompt labels (`/v1/labels`): names that point at one version of each prompt
 * (`PromptRepository.label`), so a request can name `slug@staging`. Audited like the prompts.
 */
export class LabelRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  async create(input: LabelInput, actor: Actor): Promise<LabelRecord> {
    const now = this.#context.now();
    const row: Row = {
      id: newId(),
      name: checkedName(input.name),
      description: optionalText(input.description, 'description', 1000) ?? null,
      color_code: optionalText(input.color_code, 'color_code', 32) ?? null,
      is_universal: 0,
      created_at: now,
      updated_at: now,
    };
    await writeTransaction(this.#context, async (transaction) => {
      if (await findLabel(transaction, row.name))
        throw new StoreError('conflict', `a label named "${row.name}" already exists`);
      await transaction.insertInto('labels').values(row).execute();
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'create',
        entity: 'label',
        entityId: row.id,
        after: row,
      });
    });
    return toRecord(row);
  }

  async get(reference: string): Promise<LabelRecord | undefined> {
    const row = await read(() => findLabel(this.#context.db, reference));
    return row === undefined ? undefined : toRecord(row);
  }

  /** Every label, universal ones first, then by name; `search` keeps names that contain it. */
  async list(options: { readonly search?: string | undefined } = {}): Promise<LabelRecord[]> {
    const rows = await read(() =>
      this.#context.db
        .selectFrom('labels')
        .selectAll()
        .orderBy('is_universal', 'desc')
        .orderBy('name', 'asc')
        .execute(),
    );
    const search = options.search?.toLowerCase();
    return rows
      .filter((row) => search === undefined || row.name.toLowerCase().includes(search))
      .map(toRecord);
  }

  /** Changes a label's name, description or colour; a universal label is a `conflict`. */
  async update(reference: string, input: LabelInput, actor: Actor): Promise<LabelRecord> {
    const now = this.#context.now();
    return writeTransaction(this.#context, async (transaction) => {
      const row = await findLabel(transaction, reference);
      if (!row) throw notFoundError('label', reference);
      if (row.is_universal === 1)
        throw new StoreError('conflict', `"${row.name}" is a universal label: it cannot be changed`);
      const name = input.name === undefined ? row.name : checkedName(input.name);
      if (name !== row.name && (await findLabel(transaction, name)))
        throw new StoreError('conflict', `a label named "${name}" already exists`);
      const description = optionalText(input.description, 'description', 1000);
      const colorCode = optionalText(input.color_code, 'color_code', 32);
      const next: Row = {
        ...row,
        name,
        description: description === undefined ? row.description : description,
        color_code: colorCode === undefined ? row.color_code : colorCode,
        updated_at: now,
      };
      await transaction.updateTable('labels').set(next).where('id', '=', row.id).execute();
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'update',
        entity: 'label',
        entityId: row.id,
        before: row,
        after: next,
      });
      return toRecord(next);
    });
  }

  /** Deletes a label and where it pointed (requests naming `slug@label` then get a 404); universal: `conflict`. */
  async delete(reference: string, actor: Actor): Promise<void> {
    const now = this.#context.now();
    await writeTransaction(this.#context, async (transaction) => {
      const row = await findLabel(transaction, reference);
      if (!row) throw notFoundError('label', reference);
      if (row.is_universal === 1)
        throw new StoreError('conflict', `"${row.name}" is a universal label: it cannot be deleted`);
      await transaction.deleteFrom('prompt_version_labels').where('label_id', '=', row.id).execute();
      await transaction.deleteFrom('labels').where('id', '=', row.id).execute();
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'delete',
        entity: 'label',
        entityId: row.id,
        before: row,
      });
    });
  }
}
