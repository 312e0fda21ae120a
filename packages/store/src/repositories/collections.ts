import { type Selectable, sql, type Transaction } from 'kysely';
import type { CollectionsTable, Database } from '../database/schema.js';
import { StoreError } from '../errors.js';
import { newCollectionSlug, newId } from '../ids.js';
import { UNSHOWABLE_IN_NAME, UNSHOWABLE_NAME_MESSAGE } from './inputs.js';
import {
  type Actor,
  isoOrNull,
  notFoundError,
  read,
  recordAudit,
  type StoreContext,
  writeTransaction,
} from './store-context.js';

/** What a collection holds, for Portkey's `collection_details`. */
export interface CollectionContents {
  readonly promptsCount: number;
  readonly childCollectionsCount: number;
  readonly promptsUpdatedAt: string | null;
  readonly childCollectionsUpdatedAt: string | null;
}

/** A prompt collection as reads return it. */
export interface CollectionRecord {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly parentId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly contents: CollectionContents;
}

/** What a collection is made or changed with: Portkey's body (snake_case), as sent. */
export interface CollectionInput {
  readonly name?: unknown;
  /** The id or slug of the collection it goes in (only when made). */
  readonly parent_collection_id?: unknown;
}

type Row = Selectable<CollectionsTable>;
/** Where a read runs: a transaction's connection, or the store's. */
type Reader = Transaction<Database> | StoreContext['db'];

function invalid(path: string, message: string): StoreError {
  return new StoreError('invalid', message, { issues: [{ path, message }] });
}

function checkedName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200)
    throw invalid('name', 'name is required: text of 1 to 200 characters');
  if (UNSHOWABLE_IN_NAME.test(name)) throw invalid('name', `name ${UNSHOWABLE_NAME_MESSAGE}`);
  return name;
}

/** The collection `reference` names (its id or its slug), in `database`. */
export async function findCollection(database: Reader, reference: string): Promise<Row | undefined> {
  return database
    .selectFrom('collections')
    .selectAll()
    .where((expression) =>
      expression.or([expression('id', '=', reference), expression('slug', '=', reference)]),
    )
    .executeTakeFirst();
}

/**
 * The value a prompt keeps in its `collection_id`: the id of the collection `reference` names, or
 * `reference` as given when none does (prompts may name a collection that is not made here, as
 * they could before collections existed).
 */
export async function collectionIdOf(
  database: Reader,
  reference: string | null | undefined,
): Promise<string | null | undefined> {
  if (reference === undefined || reference === null) return reference;
  return (await findCollection(database, reference))?.id ?? reference;
}

/** The prompts (and partials) and child collections in each of `rows`, counted in two statements. */
async function contentsOf(database: Reader, rows: readonly Row[]): Promise<Map<string, CollectionContents>> {
  const contents = new Map<string, CollectionContents>();
  if (rows.length === 0) return contents;
  const keys = rows.flatMap((row) => [row.id, row.slug]);
  const prompts = await database
    .selectFrom('prompts')
    .select([
      'collection_id',
      sql<number | string>`count(*)`.as('count'),
      sql<number | string | null>`max(updated_at)`.as('latest'),
    ])
    .where('collection_id', 'in', keys)
    .groupBy('collection_id')
    .execute();
  const children = await database
    .selectFrom('collections')
    .select([
      'parent_id',
      sql<number | string>`count(*)`.as('count'),
      sql<number | string | null>`max(updated_at)`.as('latest'),
    ])
    .where(
      'parent_id',
      'in',
      rows.map((row) => row.id),
    )
    .groupBy('parent_id')
    .execute();
  for (const row of rows) {
    // A prompt names its collection by id, or by the slug it was given before the collection was made.
    const own = prompts.filter((entry) => entry.collection_id === row.id || entry.collection_id === row.slug);
    const child = children.find((entry) => entry.parent_id === row.id);
    const latest = own.map((entry) => Number(entry.latest ?? 0)).reduce((a, b) => Math.max(a, b), 0);
    contents.set(row.id, {
      promptsCount: own.reduce((sum, entry) => sum + Number(entry.count), 0),
      childCollectionsCount: Number(child?.count ?? 0),
      promptsUpdatedAt: latest === 0 ? null : isoOrNull(latest),
      childCollectionsUpdatedAt: child?.latest == null ? null : isoOrNull(Number(child.latest)),
    });
  }
  return contents;
}

function toRecord(row: Row, contents: CollectionContents | undefined): CollectionRecord {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    parentId: row.parent_id,
    createdAt: isoOrNull(row.created_at) ?? '',
    updatedAt: isoOrNull(row.updated_at) ?? '',
    contents: contents ?? {
      promptsCount: 0,
      childCollectionsCount: 0,
      promptsUpdatedAt: null,
      childCollectionsUpdatedAt: null,
    },
  };
}

/**
 * Portkey's prompt collections (`/v1/collections`): named folders of prompts, which may sit in
 * another collection. A prompt is in the collection its `collection_id` names. A collection that
 * still holds prompts or collections is not deleted (a `conflict`): nothing is left pointing at
 * nothing. Audited like the prompts.
 */
export class CollectionRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  async create(input: CollectionInput, actor: Actor): Promise<CollectionRecord> {
    const now = this.#context.now();
    const name = checkedName(input.name);
    const parent = input.parent_collection_id;
    if (parent !== undefined && parent !== null && (typeof parent !== 'string' || parent === ''))
      throw invalid('parent_collection_id', 'parent_collection_id must be the id or slug of a collection');
    return writeTransaction(this.#context, async (transaction) => {
      const parentRow = typeof parent === 'string' ? await findCollection(transaction, parent) : undefined;
      if (typeof parent === 'string' && parentRow === undefined)
        throw new StoreError('not_found', `no collection has the id or slug "${parent}"`);
      const row: Row = {
        id: newId(),
        slug: newCollectionSlug(name),
        name,
        parent_id: parentRow?.id ?? null,
        created_at: now,
        updated_at: now,
      };
      await transaction.insertInto('collections').values(row).execute();
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'create',
        entity: 'collection',
        entityId: row.id,
        after: row,
      });
      return toRecord(row, undefined);
    });
  }

  /** The collection by id or slug, with what it holds; undefined when there is none. */
  async get(reference: string): Promise<CollectionRecord | undefined> {
    return read(async () => {
      const row = await findCollection(this.#context.db, reference);
      if (row === undefined) return undefined;
      return toRecord(row, (await contentsOf(this.#context.db, [row])).get(row.id));
    });
  }

  /**
   * Collections by name (then id), with what each holds; `search` keeps names that contain it (any
   * case), `parentId` (an id or slug) only the collections in that one.
   */
  async list(
    options: { readonly search?: string | undefined; readonly parentId?: string | undefined } = {},
  ): Promise<CollectionRecord[]> {
    return read(async () => {
      let query = this.#context.db.selectFrom('collections').selectAll();
      if (options.parentId !== undefined) {
        const parent = await findCollection(this.#context.db, options.parentId);
        if (parent === undefined) return [];
        query = query.where('parent_id', '=', parent.id);
      }
      const search = options.search?.toLowerCase();
      const rows = (await query.orderBy('name').orderBy('id').execute()).filter(
        (row) => search === undefined || row.name.toLowerCase().includes(search),
      );
      const contents = await contentsOf(this.#context.db, rows);
      return rows.map((row) => toRecord(row, contents.get(row.id)));
    });
  }

  /** Renames a collection (its slug stays: requests and prompts name it by id or slug). */
  async update(reference: string, input: CollectionInput, actor: Actor): Promise<CollectionRecord> {
    const now = this.#context.now();
    const name = checkedName(input.name);
    if (input.parent_collection_id !== undefined)
      throw invalid('parent_collection_id', 'a collection cannot be moved: only its name changes');
    return writeTransaction(this.#context, async (transaction) => {
      const row = await findCollection(transaction, reference);
      if (!row) throw notFoundError('collection', reference);
      const next: Row = { ...row, name, updated_at: now };
      await transaction.updateTable('collections').set(next).where('id', '=', row.id).execute();
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'update',
        entity: 'collection',
        entityId: row.id,
        before: row,
        after: next,
      });
      return toRecord(next, (await contentsOf(transaction, [next])).get(next.id));
    });
  }

  /** Deletes an empty collection; one that holds prompts or collections is a `conflict` saying how many. */
  async delete(reference: string, actor: Actor): Promise<void> {
    const now = this.#context.now();
    await writeTransaction(this.#context, async (transaction) => {
      const row = await findCollection(transaction, reference);
      if (!row) throw notFoundError('collection', reference);
      const contents = (await contentsOf(transaction, [row])).get(row.id);
      if (contents && (contents.promptsCount > 0 || contents.childCollectionsCount > 0))
        throw new StoreError(
          'conflict',
          `collection "${row.name}" holds ${contents.promptsCount} prompt(s) and ${contents.childCollectionsCount} collection(s): move or delete them first`,
        );
      await transaction.deleteFrom('collections').where('id', '=', row.id).execute();
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'delete',
        entity: 'collection',
        entityId: row.id,
        before: row,
      });
    });
  }
}
