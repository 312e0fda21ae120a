import { type ExpressionBuilder, type Selectable, sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { Database, PromptsTable, PromptVersionsTable } from '../database/schema.js';
import { StoreError } from '../errors.js';
import { newId, newPromptSlug, SLUG_PATTERN } from '../ids.js';
import { collectionIdOf, findCollection } from './collections.js';
import {
  type CreatePromptInput,
  createPromptInputSchema,
  createPromptPartialInputSchema,
  parseInput,
  type UpdatePromptInput,
  updatePromptInputSchema,
  updatePromptPartialInputSchema,
} from './inputs.js';
import { findLabel, LABEL_NAME_PATTERN } from './labels.js';
import {
  type Actor,
  notFoundError,
  parseJson,
  read,
  recordAudit,
  type StoreContext,
  type WriteBasis,
  writeTransaction,
} from './store-context.js';

/** One version of a prompt, immutable: a change adds a new one. */
export interface PromptVersionRecord {
  /** Portkey's `version_id`. */
  readonly id: string;
  readonly promptId: string;
  /** 1, 2, 3 … */
  readonly version: number;
  /** The template (Portkey's `string`). */
  readonly template: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly model: string | null;
  /** A virtual key slug, as written. */
  readonly virtualKey: string | null;
  readonly functions: readonly unknown[] | null;
  readonly tools: readonly unknown[] | null;
  /** A string or an object; null when unset. */
  readonly toolChoice: unknown;
  /** Portkey's `version_description`. */
  readonly description: string | null;
  readonly templateMetadata: Readonly<Record<string, unknown>> | null;
  /** ISO 8601. */
  readonly createdAt: string;
  /** The actor that wrote it. */
  readonly createdBy: string;
}

/** What a repository holds: prompts, or the partials their templates include (`{{>slug}}`). */
export type PromptKind = 'prompt' | 'partial';

/** A prompt (or a partial) as reads return it, with the version it serves. */
export interface PromptRecord {
  readonly id: string;
  readonly kind: PromptKind;
  /** What requests name (`pp-…`). */
  readonly slug: string;
  readonly name: string;
  readonly collectionId: string | null;
  /** `active`. */
  readonly status: string;
  readonly publishedVersion: number;
  readonly latestVersion: number;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The version requests without a suffix get. */
  readonly published: PromptVersionRecord;
}

/** What `prompts.resolve` finds for the request path: the prompt and the version the reference names. */
export interface ResolvedPrompt {
  readonly prompt: { readonly id: string; readonly slug: string; readonly name: string };
  readonly version: PromptVersionRecord;
}

/** Options of `prompts.list`. */
export interface ListPromptsOptions {
  /** Only the prompts of this collection. */
  readonly collectionId?: string;
  /** Only the prompts whose name or slug contains this text (case-insensitive). */
  readonly search?: string;
}

type PromptRow = Selectable<PromptsTable>;
type VersionRow = Selectable<PromptVersionsTable>;
/** The content of a version: what an update may change. */
type VersionContent = Omit<VersionRow, 'id' | 'prompt_id' | 'version' | 'created_at' | 'created_by'>;
/** Which version of a prompt a read joins: the published one, the latest, a number, or a label's. */
type VersionSelector = 'published' | 'latest' | number | { readonly label: string };

/** The input fields that make a new version. */
const VERSION_FIELDS = [
  'string',
  'parameters',
  'model',
  'virtual_key',
  'functions',
  'tools',
  'tool_choice',
  'version_description',
  'template_metadata',
] as const;

/** The version fields of an input (create or update), as parsed; undefined means "not given". */
type VersionInput = Partial<Pick<z.output<typeof updatePromptInputSchema>, (typeof VERSION_FIELDS)[number]>>;

/** The largest version number a reference may name (PostgreSQL's `integer`). */
const MAX_VERSION = 2_147_483_647;

/** A reference's version suffix: `latest` or a number without leading zeros. */
const VERSION_SUFFIX_PATTERN = /^(?:latest|[1-9][0-9]{0,9})$/;

/** The content a new version starts from when there is no earlier one. */
const EMPTY_CONTENT: VersionContent = {
  template: '',
  parameters: '{}',
  model: null,
  virtual_key: null,
  functions: null,
  tools: null,
  tool_choice: null,
  description: null,
  template_metadata: null,
};

function isVersionNumber(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= MAX_VERSION;
}

/** `kept` when the input does not give the field, else the given value as its column (null clears). */
function replaced<T>(
  given: T | null | undefined,
  kept: string | null,
  encode: (value: T) => string,
): string | null {
  if (given === undefined) return kept;
  return given === null ? null : encode(given);
}

/** The content of a new version: the fields the input gives, the others copied from `base`. */
function contentOf(input: VersionInput, base: VersionContent): VersionContent {
  return {
    template: input.string ?? base.template,
    parameters: input.parameters === undefined ? base.parameters : JSON.stringify(input.parameters),
    model: replaced(input.model, base.model, String),
    virtual_key: replaced(input.virtual_key, base.virtual_key, String),
    functions: replaced(input.functions, base.functions, JSON.stringify),
    tools: replaced(input.tools, base.tools, JSON.stringify),
    tool_choice: replaced(input.tool_choice, base.tool_choice, JSON.stringify),
    // A version's description is its own: never the latest version's.
    description: input.version_description ?? null,
    template_metadata: replaced(input.template_metadata, base.template_metadata, JSON.stringify),
  };
}

function givesVersionField(input: VersionInput): boolean {
  return VERSION_FIELDS.some((field) => input[field] !== undefined);
}

function toVersionRecord(row: VersionRow): PromptVersionRecord {
  return {
    id: row.id,
    promptId: row.prompt_id,
    version: row.version,
    template: row.template,
    parameters: parseJson<Record<string, unknown>>(row.parameters) ?? {},
    model: row.model,
    virtualKey: row.virtual_key,
    functions: parseJson<unknown[]>(row.functions),
    tools: parseJson<unknown[]>(row.tools),
    toolChoice: parseJson<unknown>(row.tool_choice),
    description: row.description,
    templateMetadata: parseJson<Record<string, unknown>>(row.template_metadata),
    createdAt: new Date(row.created_at).toISOString(),
    createdBy: row.created_by,
  };
}

function toRecord(prompt: PromptRow, published: VersionRow): PromptRecord {
  return {
    id: prompt.id,
    kind: prompt.kind === 'partial' ? 'partial' : 'prompt',
    slug: prompt.slug,
    name: prompt.name,
    collectionId: prompt.collection_id,
    status: prompt.status,
    publishedVersion: prompt.published_version,
    latestVersion: prompt.latest_version,
    createdAt: new Date(prompt.created_at).toISOString(),
    updatedAt: new Date(prompt.updated_at).toISOString(),
    published: toVersionRecord(published),
  };
}

/** What the audit log keeps of a prompt: the record and its latest version (perhaps unpublished). */
function audited(prompt: PromptRow, published: VersionRow, latest: VersionRow): unknown {
  return { ...toRecord(prompt, published), latest: toVersionRecord(latest) };
}

/** A `like … escape '\'` pattern matching text that contains `text`, its `%` and `_` as themselves. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** A case-insensitive search's pattern (matched against a lowercased column). */
function likePattern(search: string): string {
  return containsPattern(search.toLowerCase());
}

/** A partial's create input read as a prompt's: its template and description, no parameters. */
function partialAsPrompt(
  input: z.output<typeof createPromptPartialInputSchema>,
): CreatePromptInput & VersionInput {
  return {
    name: input.name,
    ...(input.slug === undefined ? {} : { slug: input.slug }),
    string: input.string,
    parameters: {},
    ...(input.version_description === undefined ? {} : { version_description: input.version_description }),
  };
}

/** A partial's change read as a prompt's (`description` is the new version's description). */
function partialChangeAsPrompt(
  input: z.output<typeof updatePromptPartialInputSchema>,
): z.output<typeof updatePromptInputSchema> {
  const description = input.version_description ?? input.description;
  return {
    ...(input.name === undefined ? {} : { name: input.name }),
    ...(input.string === undefined ? {} : { string: input.string }),
    ...(description === undefined ? {} : { version_description: description }),
  };
}

/** Parses a request's prompt reference, or undefined when it cannot name one. */
function parseReference(reference: string): { name: string; at: VersionSelector } | undefined {
  const [name = '', suffix, ...rest] = reference.split('@');
  // Ids fit the slug pattern too.
  if (rest.length > 0 || !SLUG_PATTERN.test(name)) return undefined;
  if (suffix === undefined) return { name, at: 'published' };
  if (!VERSION_SUFFIX_PATTERN.test(suffix))
    return LABEL_NAME_PATTERN.test(suffix) ? { name, at: { label: suffix } } : undefined;
  if (suffix === 'latest') return { name, at: 'latest' };
  const version = Number(suffix);
  return isVersionNumber(version) ? { name, at: version } : undefined;
}

/**
 * Portkey's prompt library: prompts named by slug, each a history of immutable versions (a template,
 * its parameters and model settings). A change of content adds a version and leaves the published
 * one as it was; `publish` chooses the version requests get. Not part of the catalog snapshot: the
 * gateway reads a prompt per request through {@link PromptRepository.resolve}. Every change is
 * audited with the published and the latest version.
 */
/**
 * A version that requests run: its prompt's published or latest one, or one a label points at (what
 * deleting a virtual key or a partial it uses would break).
 */
function runsRequests(
  expression: ExpressionBuilder<
    Database & { version: Database['prompt_versions']; prompt: Database['prompts'] },
    'version' | 'prompt'
  >,
) {
  return expression.or([
    expression('version.version', '=', expression.ref('prompt.published_version')),
    expression('version.version', '=', expression.ref('prompt.latest_version')),
    expression.exists(
      expression
        .selectFrom('prompt_version_labels as label')
        .select('label.label_id')
        .whereRef('label.version_id', '=', 'version.id'),
    ),
  ]);
}

export class PromptRepository {
  readonly #context: StoreContext;
  readonly #kind: PromptKind;
  /** The audit log's entity: `prompt` or `prompt_partial`. */
  readonly #entity: string;
  /** What messages call a record: `prompt` or `prompt partial`. */
  readonly #noun: string;

  /** `kind`: this repository's records (`store.prompts`, or `store.promptPartials` for `partial`). */
  constructor(context: StoreContext, kind: PromptKind = 'prompt') {
    this.#context = context;
    this.#kind = kind;
    this.#entity = kind === 'partial' ? 'prompt_partial' : 'prompt';
    this.#noun = kind === 'partial' ? 'prompt partial' : 'prompt';
  }

  async #findPrompt(
    database: Transaction<Database> | StoreContext['db'],
    reference: string,
  ): Promise<PromptRow | undefined> {
    return database
      .selectFrom('prompts')
      .selectAll()
      .where('kind', '=', this.#kind)
      .where((expression) =>
        expression.or([expression('id', '=', reference), expression('slug', '=', reference)]),
      )
      .executeTakeFirst();
  }

  /**
   * The record of either kind that `name` names (as its slug or its id): a slug is unique across
   * prompts and partials, and never another record's id.
   */
  async #nameHolder(transaction: Transaction<Database>, name: string): Promise<{ kind: string } | undefined> {
    return transaction
      .selectFrom('prompts')
      .select('kind')
      .where((expression) => expression.or([expression('id', '=', name), expression('slug', '=', name)]))
      .executeTakeFirst();
  }

  async #versionRow(
    database: Transaction<Database> | StoreContext['db'],
    promptId: string,
    version: number,
  ): Promise<VersionRow> {
    return database
      .selectFrom('prompt_versions')
      .selectAll()
      .where('prompt_id', '=', promptId)
      .where('version', '=', version)
      .executeTakeFirstOrThrow();
  }

  /** Prompts joined with one version each (`at`), as one query: the prompt's columns prefixed. */
  #withVersion(at: VersionSelector) {
    return this.#context.db
      .selectFrom('prompts')
      .innerJoin('prompt_versions', (join) => {
        const ofPrompt = join.onRef('prompt_versions.prompt_id', '=', 'prompts.id');
        if (typeof at === 'number') return ofPrompt.on('prompt_versions.version', '=', at);
        if (typeof at === 'object')
          return ofPrompt.on(
            sql<boolean>`prompt_versions.id = (select pvl.version_id from prompt_version_labels pvl
              join labels l on l.id = pvl.label_id where pvl.prompt_id = prompts.id and l.name = ${at.label})`,
          );
        return ofPrompt.onRef(
          'prompt_versions.version',
          '=',
          at === 'published' ? 'prompts.published_version' : 'prompts.latest_version',
        );
      })
      .where('prompts.kind', '=', this.#kind)
      .selectAll('prompt_versions')
      .select([
        'prompts.kind as prompt_kind',
        'prompts.slug as prompt_slug',
        'prompts.name as prompt_name',
        'prompts.collection_id as prompt_collection_id',
        'prompts.status as prompt_status',
        'prompts.published_version as prompt_published_version',
        'prompts.latest_version as prompt_latest_version',
        'prompts.created_at as prompt_created_at',
        'prompts.updated_at as prompt_updated_at',
      ]);
  }

  /**
   * Creates a prompt: version 1, published. `input` is Portkey's request body as sent (a
   * {@link CreatePromptInput}), validated here.
   */
  async create(input: unknown, actor: Actor, basis: WriteBasis = {}): Promise<PromptRecord> {
    const parsed: CreatePromptInput & VersionInput =
      this.#kind === 'partial'
        ? partialAsPrompt(parseInput(createPromptPartialInputSchema, input, 'prompt partial'))
        : parseInput(createPromptInputSchema, input, 'prompt');
    const slug = parsed.slug ?? newPromptSlug(parsed.name, this.#kind === 'partial' ? 'pl' : 'pp');
    const now = this.#context.now();
    let prompt: PromptRow = {
      id: newId(),
      kind: this.#kind,
      slug,
      name: parsed.name,
      collection_id: parsed.collection_id ?? null,
      status: 'active',
      published_version: 1,
      latest_version: 1,
      created_at: now,
      updated_at: now,
    };
    const version: VersionRow = {
      id: newId(),
      prompt_id: prompt.id,
      version: 1,
      ...contentOf(parsed, EMPTY_CONTENT),
      created_at: now,
      created_by: actor,
    };
    await writeTransaction(
      this.#context,
      async (transaction) => {
        const holder = await this.#nameHolder(transaction, slug);
        if (holder) {
          throw new StoreError(
            'conflict',
            `a ${holder.kind === 'partial' ? 'prompt partial' : 'prompt'} "${slug}" already exists`,
          );
        }
        // A collection named by its slug is kept by its id (one that is not made here, as given).
        prompt = {
          ...prompt,
          collection_id: (await collectionIdOf(transaction, prompt.collection_id)) ?? null,
        };
        await transaction.insertInto('prompts').values(prompt).execute();
        await transaction.insertInto('prompt_versions').values(version).execute();
        await recordAudit(transaction, {
          at: now,
          actor,
          action: 'create',
          entity: this.#entity,
          entityId: prompt.id,
          after: audited(prompt, version, version),
        });
      },
      basis,
    );
    return toRecord(prompt, version);
  }

  /** The prompt by id or slug, with its published version; undefined when there is none. */
  async get(reference: string): Promise<PromptRecord | undefined> {
    return read(async () => {
      const row = await this.#withVersion('published')
        .where((expression) =>
          expression.or([
            expression('prompts.id', '=', reference),
            expression('prompts.slug', '=', reference),
          ]),
        )
        .executeTakeFirst();
      return row === undefined ? undefined : toRecord(...splitJoined(row));
    });
  }

  /**
   * Slugs of the prompts whose published, latest or labelled version sends its requests through the
   * virtual key `slug` (what deleting that key would break), in order.
   */
  async usingVirtualKey(slug: string): Promise<string[]> {
    return read(async () => {
      const rows = await this.#context.db
        .selectFrom('prompt_versions as version')
        .innerJoin('prompts as prompt', 'prompt.id', 'version.prompt_id')
        .select('prompt.slug')
        .distinct()
        .where('version.virtual_key', '=', slug)
        .where(runsRequests)
        .orderBy('prompt.slug')
        .execute();
      return rows.map((row) => row.slug);
    });
  }

  /**
   * The published, latest and labelled versions (what requests run) whose template contains `text`,
   * each with its prompt's id and slug, by slug: the candidates for what deleting a partial would break
   * (the caller reads which partials a template really includes). SQLite's `like` ignores the case
   * of ASCII letters, so a few more may come back there; none that contains `text` is left out.
   */
  async templatesContaining(text: string): Promise<{ id: string; slug: string; template: string }[]> {
    const pattern = containsPattern(text);
    return read(async () => {
      const rows = await this.#context.db
        .selectFrom('prompt_versions as version')
        .innerJoin('prompts as prompt', 'prompt.id', 'version.prompt_id')
        .select(['prompt.id', 'prompt.slug', 'version.template'])
        .distinct()
        .where('prompt.kind', '=', this.#kind)
        .where(sql<boolean>`${sql.ref('version.template')} like ${pattern} escape '\\'`)
        .where(runsRequests)
        .orderBy('prompt.slug')
        .execute();
      return rows.map((row) => ({ id: row.id, slug: row.slug, template: row.template }));
    });
  }

  /** Every prompt (of a collection, matching a search) with its published version, by creation time. */
  async list(options: ListPromptsOptions = {}): Promise<PromptRecord[]> {
    return read(async () => {
      let query = this.#withVersion('published');
      if (options.collectionId !== undefined) {
        // A collection's prompts name it by id, or by the slug given before it was made here.
        const collection = await findCollection(this.#context.db, options.collectionId);
        query = query.where(
          'prompts.collection_id',
          'in',
          collection ? [collection.id, collection.slug] : [options.collectionId],
        );
      }
      if (options.search !== undefined && options.search !== '') {
        const pattern = likePattern(options.search);
        query = query.where((expression) =>
          expression.or([
            sql<boolean>`lower(${expression.ref('prompts.name')}) like ${pattern} escape '\\'`,
            sql<boolean>`lower(${expression.ref('prompts.slug')}) like ${pattern} escape '\\'`,
          ]),
        );
      }
      const rows = await query.orderBy('prompts.created_at').orderBy('prompts.id').execute();
      return rows.map((row) => toRecord(...splitJoined(row)));
    });
  }

  /**
   * Changes a prompt. `name` and `collection_id` change the prompt itself; any version field adds a
   * version (latest + 1) whose other fields are the latest version's. The published version stays.
   * `input` is an {@link UpdatePromptInput}, validated here; an empty one is `invalid`.
   */
  async update(
    reference: string,
    input: unknown,
    actor: Actor,
    basis: WriteBasis = {},
  ): Promise<PromptRecord> {
    const parsed: z.output<typeof updatePromptInputSchema> =
      this.#kind === 'partial'
        ? partialChangeAsPrompt(parseInput(updatePromptPartialInputSchema, input, 'prompt partial'))
        : parseInput(updatePromptInputSchema, input, 'prompt');
    const now = this.#context.now();
    return writeTransaction(
      this.#context,
      async (transaction) => {
        const prompt = await this.#findPrompt(transaction, reference);
        if (!prompt) throw notFoundError(this.#noun, reference);
        const published = await this.#versionRow(transaction, prompt.id, prompt.published_version);
        const latest = await this.#versionRow(transaction, prompt.id, prompt.latest_version);
        let newest = latest;
        if (givesVersionField(parsed)) {
          newest = {
            id: newId(),
            prompt_id: prompt.id,
            version: prompt.latest_version + 1,
            ...contentOf(parsed, latest),
            created_at: now,
            created_by: actor,
          };
          await transaction.insertInto('prompt_versions').values(newest).execute();
        }
        const next: PromptRow = {
          ...prompt,
          ...(parsed.name === undefined ? {} : { name: parsed.name }),
          ...(parsed.collection_id === undefined
            ? {}
            : { collection_id: (await collectionIdOf(transaction, parsed.collection_id)) ?? null }),
          latest_version: newest.version,
          updated_at: now,
        };
        await transaction.updateTable('prompts').set(next).where('id', '=', prompt.id).execute();
        await recordAudit(transaction, {
          at: now,
          actor,
          action: 'update',
          entity: this.#entity,
          entityId: prompt.id,
          before: audited(prompt, published, latest),
          after: audited(next, published, newest),
        });
        return toRecord(next, published);
      },
      basis,
    );
  }

  /** Makes `version` the one requests without a suffix get; a version the prompt lacks is `not_found`. */
  async publish(
    reference: string,
    version: number,
    actor: Actor,
    basis: WriteBasis = {},
  ): Promise<PromptRecord> {
    if (!isVersionNumber(version)) {
      throw new StoreError('invalid', 'invalid prompt version: version: expected a positive integer', {
        issues: [{ path: 'version', message: 'expected a positive integer' }],
      });
    }
    const now = this.#context.now();
    return writeTransaction(
      this.#context,
      async (transaction) => {
        const prompt = await this.#findPrompt(transaction, reference);
        if (!prompt) throw notFoundError(this.#noun, reference);
        const target = await transaction
          .selectFrom('prompt_versions')
          .selectAll()
          .where('prompt_id', '=', prompt.id)
          .where('version', '=', version)
          .executeTakeFirst();
        if (!target)
          throw new StoreError('not_found', `the ${this.#noun} "${prompt.slug}" has no version ${version}`);
        const published = await this.#versionRow(transaction, prompt.id, prompt.published_version);
        const latest = await this.#versionRow(transaction, prompt.id, prompt.latest_version);
        const next: PromptRow = { ...prompt, published_version: version, updated_at: now };
        await transaction
          .updateTable('prompts')
          .set({ published_version: version, updated_at: now })
          .where('id', '=', prompt.id)
          .execute();
        await recordAudit(transaction, {
          at: now,
          actor,
          action: 'publish',
          entity: this.#entity,
          entityId: prompt.id,
          before: audited(prompt, published, latest),
          after: audited(next, target, latest),
        });
        return toRecord(next, target);
      },
      basis,
    );
  }

  /** Deletes a prompt and its versions (the audit log keeps the published and the latest). */
  async delete(reference: string, actor: Actor, basis: WriteBasis = {}): Promise<void> {
    const now = this.#context.now();
    await writeTransaction(
      this.#context,
      async (transaction) => {
        const prompt = await this.#findPrompt(transaction, reference);
        if (!prompt) throw notFoundError(this.#noun, reference);
        const published = await this.#versionRow(transaction, prompt.id, prompt.published_version);
        const latest = await this.#versionRow(transaction, prompt.id, prompt.latest_version);
        await transaction.deleteFrom('prompt_versions').where('prompt_id', '=', prompt.id).execute();
        await transaction.deleteFrom('prompts').where('id', '=', prompt.id).execute();
        await recordAudit(transaction, {
          at: now,
          actor,
          action: 'delete',
          entity: this.#entity,
          entityId: prompt.id,
          before: audited(prompt, published, latest),
        });
      },
      basis,
    );
  }

  /** Every version of a prompt, newest first; a `not_found` {@link StoreError} for an unknown prompt. */
  async versions(reference: string): Promise<PromptVersionRecord[]> {
    return read(async () => {
      const prompt = await this.#findPrompt(this.#context.db, reference);
      if (!prompt) throw notFoundError(this.#noun, reference);
      const rows = await this.#context.db
        .selectFrom('prompt_versions')
        .selectAll()
        .where('prompt_id', '=', prompt.id)
        .orderBy('version', 'desc')
        .execute();
      return rows.map(toVersionRecord);
    });
  }

  /**
   * One version of a prompt: by its id (a string) or its number; undefined when the prompt or the
   * version does not exist.
   */
  async version(
    reference: string,
    versionReference: string | number,
  ): Promise<PromptVersionRecord | undefined> {
    if (typeof versionReference === 'number' && !isVersionNumber(versionReference)) return undefined;
    return read(async () => {
      const row = await this.#context.db
        .selectFrom('prompt_versions')
        .innerJoin('prompts', 'prompts.id', 'prompt_versions.prompt_id')
        .selectAll('prompt_versions')
        .where('prompts.kind', '=', this.#kind)
        .where((expression) =>
          expression.or([
            expression('prompts.id', '=', reference),
            expression('prompts.slug', '=', reference),
          ]),
        )
        .where(
          typeof versionReference === 'number' ? 'prompt_versions.version' : 'prompt_versions.id',
          '=',
          versionReference,
        )
        .executeTakeFirst();
      return row === undefined ? undefined : toVersionRecord(row);
    });
  }

  /**
   * Points a label at one version of a prompt (Portkey's `PUT /prompts/:id/versions/:versionId`
   * with `label_id`), moving it from the version it pointed at before. The version is named by its
   * id or number, the label by its id or name.
   */
  async label(
    reference: string,
    versionReference: string | number,
    labelReference: string,
    actor: Actor,
  ): Promise<void> {
    const now = this.#context.now();
    await writeTransaction(this.#context, async (transaction) => {
      const prompt = await this.#findPrompt(transaction, reference);
      if (!prompt) throw notFoundError(this.#noun, reference);
      const version = await transaction
        .selectFrom('prompt_versions')
        .select(['id', 'version'])
        .where('prompt_id', '=', prompt.id)
        .where(typeof versionReference === 'number' ? 'version' : 'id', '=', versionReference)
        .executeTakeFirst();
      if (!version) {
        throw new StoreError(
          'not_found',
          typeof versionReference === 'number'
            ? `the ${this.#noun} "${prompt.slug}" has no version ${versionReference}`
            : `no version of the ${this.#noun} "${prompt.slug}" has the id "${versionReference}"`,
        );
      }
      const label = await findLabel(transaction, labelReference);
      if (!label)
        throw new StoreError('invalid', `label_id: no label has the id or name "${labelReference}"`, {
          issues: [{ path: 'label_id', message: `no label has the id or name "${labelReference}"` }],
        });
      const before = await transaction
        .selectFrom('prompt_version_labels')
        .select('version_id')
        .where('prompt_id', '=', prompt.id)
        .where('label_id', '=', label.id)
        .executeTakeFirst();
      if (before) {
        await transaction
          .updateTable('prompt_version_labels')
          .set({ version_id: version.id, updated_at: now })
          .where('prompt_id', '=', prompt.id)
          .where('label_id', '=', label.id)
          .execute();
      } else {
        await transaction
          .insertInto('prompt_version_labels')
          .values({ prompt_id: prompt.id, label_id: label.id, version_id: version.id, updated_at: now })
          .execute();
      }
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'label',
        entity: this.#entity,
        entityId: prompt.id,
        before: { label: label.name, version_id: before?.version_id ?? null },
        after: { label: label.name, version_id: version.id, version: version.version },
      });
    });
  }

  /** The labels pointing at each version of a prompt (version id → labels, by name). */
  async labelsOf(reference: string): Promise<Map<string, { readonly id: string; readonly name: string }[]>> {
    return read(async () => {
      const rows = await this.#context.db
        .selectFrom('prompt_version_labels')
        .innerJoin('labels', 'labels.id', 'prompt_version_labels.label_id')
        .innerJoin('prompts', 'prompts.id', 'prompt_version_labels.prompt_id')
        .select(['prompt_version_labels.version_id', 'labels.id', 'labels.name'])
        .where('prompts.kind', '=', this.#kind)
        .where((expression) =>
          expression.or([
            expression('prompts.id', '=', reference),
            expression('prompts.slug', '=', reference),
          ]),
        )
        .orderBy('labels.name')
        .execute();
      const labels = new Map<string, { id: string; name: string }[]>();
      for (const row of rows) {
        const list = labels.get(row.version_id) ?? [];
        list.push({ id: row.id, name: row.name });
        labels.set(row.version_id, list);
      }
      return labels;
    });
  }

  /**
   * The version a request's prompt reference names, in one indexed query: `slug` or `id` → the
   * published version, `slug@7` → version 7, `slug@latest` → the latest, `slug@staging` → the
   * version the label `staging` points at. Undefined for an unknown
   * prompt or version, and for anything else.
   */
  async resolve(reference: string): Promise<ResolvedPrompt | undefined> {
    const parsed = parseReference(reference);
    if (parsed === undefined) return undefined;
    return read(async () => {
      const row = await this.#withVersion(parsed.at)
        .where((expression) =>
          expression.or([
            expression('prompts.id', '=', parsed.name),
            expression('prompts.slug', '=', parsed.name),
          ]),
        )
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const [prompt, version] = splitJoined(row);
      return {
        prompt: { id: prompt.id, slug: prompt.slug, name: prompt.name },
        version: toVersionRecord(version),
      };
    });
  }
}

/** A row of {@link PromptRepository}'s prompt–version join, as its prompt and its version. */
function splitJoined(
  row: VersionRow & {
    prompt_kind: string;
    prompt_slug: string;
    prompt_name: string;
    prompt_collection_id: string | null;
    prompt_status: string;
    prompt_published_version: number;
    prompt_latest_version: number;
    prompt_created_at: number;
    prompt_updated_at: number;
  },
): [PromptRow, VersionRow] {
  const {
    prompt_kind,
    prompt_slug,
    prompt_name,
    prompt_collection_id,
    prompt_status,
    prompt_published_version,
    prompt_latest_version,
    prompt_created_at,
    prompt_updated_at,
    ...version
  } = row;
  return [
    {
      id: version.prompt_id,
      kind: prompt_kind,
      slug: prompt_slug,
      name: prompt_name,
      collection_id: prompt_collection_id,
      status: prompt_status,
      published_version: prompt_published_version,
      latest_version: prompt_latest_version,
      created_at: prompt_created_at,
      updated_at: prompt_updated_at,
    },
    version,
  ];
}
