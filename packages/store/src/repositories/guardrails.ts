import type { Selectable, Transaction } from 'kysely';
import type { SettingsGuardrail } from '../catalog/catalog.js';
import type { Database, GuardrailsTable } from '../database/schema.js';
import { StoreError, type StoreIssue } from '../errors.js';
import { newGuardrailSlug, newId } from '../ids.js';
import type { Vault } from '../vault/vault.js';
import {
  keepMaskedGuardrailSecrets,
  restoreGuardrailSecrets,
  separateGuardrailSecrets,
} from './guardrail-secrets.js';
import {
  type CreateGuardrailInput,
  createGuardrailInputSchema,
  parseInput,
  type UpdateGuardrailInput,
  updateGuardrailInputSchema,
} from './inputs.js';
import {
  type Actor,
  isoOrNull,
  notFoundError,
  read,
  readOnlyError,
  recordAudit,
  type StoreContext,
  type WriteBasis,
  writeTransaction,
} from './store-context.js';

/** A guardrail as reads return it. */
export interface GuardrailRecord {
  readonly id: string;
  /** What configs name (`input_guardrails: ["<slug>"]`); a file-managed guardrail's id. */
  readonly slug: string;
  readonly name: string;
  /**
   * The hook without its id, as written, but its checks' headers' values and URLs' user, password
   * and query string masked (`Bea…1234`, `https://h/hook?token=…`); a webhook's signing `secret` is an
   * `env:` / `file:` reference.
   */
  readonly definition: Readonly<Record<string, unknown>>;
  readonly status: string;
  /** Changes with every change (Portkey's `version_id`); null for file-managed guardrails. */
  readonly versionId: string | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  /** The settings file of a file-managed guardrail (read-only here), else null. */
  readonly managedBy: string | null;
}

/**
 * How a guardrail's meaning is checked before it is written: the store knows its shape only, the
 * gateway's hook compiler knows its checks. Every problem has a path below the definition
 * (`checks[0].parameters.rule`).
 */
export interface GuardrailWriteOptions {
  readonly validate?: (slug: string, definition: Readonly<Record<string, unknown>>) => readonly StoreIssue[];
}

type Row = Selectable<GuardrailsTable>;

/** The associated data that binds a guardrail's encrypted secrets to that guardrail. */
export function guardrailAssociatedData(id: string): string {
  return `guardrails:${id}`;
}

/**
 * The secrets of a guardrail row by path: decrypted, or for a row written before they were
 * encrypted (`secret` null), taken out of its clear-text definition. Throws a `VaultError`.
 */
function secretsOfRow(vault: Vault, row: Pick<Row, 'id' | 'definition' | 'secret'>): Record<string, string> {
  if (row.secret === null) return separateGuardrailSecrets(JSON.parse(row.definition)).secrets;
  return JSON.parse(vault.decrypt(row.secret, guardrailAssociatedData(row.id))) as Record<string, string>;
}

/** The full definition of a guardrail row, its secrets in place: only for the request path. */
export function definitionOfRow(
  vault: Vault,
  row: Pick<Row, 'id' | 'definition' | 'secret'>,
): Record<string, unknown> {
  const definition = JSON.parse(row.definition) as Record<string, unknown>;
  if (row.secret === null) return definition;
  return restoreGuardrailSecrets(definition, secretsOfRow(vault, row));
}

function toRecord(row: Row): GuardrailRecord {
  const definition = JSON.parse(row.definition) as Record<string, unknown>;
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    // A row written before secrets were encrypted holds them in clear: masked here too.
    definition: row.secret === null ? separateGuardrailSecrets(definition).masked : definition,
    status: row.status,
    versionId: row.version_id,
    createdAt: isoOrNull(row.created_at),
    updatedAt: isoOrNull(row.updated_at),
    managedBy: null,
  };
}

function fileRecord(guardrail: SettingsGuardrail, source: string): GuardrailRecord {
  return {
    id: guardrail.id,
    slug: guardrail.id,
    name: guardrail.id,
    definition: separateGuardrailSecrets({ ...guardrail.definition }).masked,
    status: 'active',
    versionId: null,
    createdAt: null,
    updatedAt: null,
    managedBy: source,
  };
}

/** The definition without an `id` of its own: the slug is the guardrail's id. */
function definitionOf(definition: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { id: _id, ...rest } = definition;
  return rest;
}

/**
 * A new definition whose secrets given as masks are the current ones again (`current`: the
 * guardrail's secrets, empty for a new one), or an `invalid` error at each mask that masks none.
 */
function withKeptSecrets(
  which: string,
  definition: Record<string, unknown>,
  current: Record<string, unknown>,
): Record<string, unknown> {
  const { masked, secrets } = separateGuardrailSecrets(definition);
  const { secrets: kept, issues } = keepMaskedGuardrailSecrets(secrets, current);
  refuseInvalid(which, issues);
  return restoreGuardrailSecrets(masked, kept);
}

/** The row's columns for a (validated, full) definition: masked JSON text, its secrets encrypted. */
function sealed(
  vault: Vault,
  id: string,
  definition: Record<string, unknown>,
): Pick<Row, 'definition' | 'secret' | 'secret_key_id'> {
  const { masked, secrets } = separateGuardrailSecrets(definition);
  if (Object.keys(secrets).length === 0)
    return { definition: JSON.stringify(masked), secret: null, secret_key_id: null };
  return {
    definition: JSON.stringify(masked),
    secret: vault.encrypt(JSON.stringify(secrets), guardrailAssociatedData(id)),
    secret_key_id: vault.newestKeyId,
  };
}

/** Refuses a definition with problems; `which` names the guardrail (`"pg-…"`, or `named "…"` before it has a slug). */
function refuseInvalid(which: string, issues: readonly StoreIssue[]): void {
  if (issues.length === 0) return;
  const prefixed = issues.map((issue) => ({ path: `definition.${issue.path}`, message: issue.message }));
  throw new StoreError(
    'invalid',
    `invalid guardrail ${which}: ${prefixed.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    { issues: prefixed },
  );
}

/**
 * Guardrails defined once in the store and referred to by slug from configs, beside those of the
 * settings file (listed, read-only; their ids cannot be taken). Not versioned: every change is
 * audited with the definition before and after, and gets a new `versionId`.
 */
export class GuardrailRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  #fileGuardrail(reference: string): SettingsGuardrail | undefined {
    return this.#context.settings?.guardrails?.find((guardrail) => guardrail.id === reference);
  }

  #refuseFileManaged(reference: string): void {
    const source = this.#context.settings?.source;
    const fileGuardrail = this.#fileGuardrail(reference);
    if (source !== undefined && fileGuardrail) throw readOnlyError('guardrail', fileGuardrail.id, source);
  }

  async #findRow(
    database: Transaction<Database> | StoreContext['db'],
    reference: string,
  ): Promise<Row | undefined> {
    return database
      .selectFrom('guardrails')
      .selectAll()
      .where((expression) =>
        expression.or([expression('id', '=', reference), expression('slug', '=', reference)]),
      )
      .executeTakeFirst();
  }

  /** Creates a guardrail, after `options.validate` accepted its definition. */
  async create(
    input: CreateGuardrailInput,
    actor: Actor,
    options: GuardrailWriteOptions = {},
  ): Promise<GuardrailRecord> {
    const parsed = parseInput(createGuardrailInputSchema, input, 'guardrail');
    const slug = parsed.slug ?? newGuardrailSlug(parsed.name);
    const source = this.#context.settings?.source;
    if (source !== undefined && this.#fileGuardrail(slug)) {
      throw new StoreError('conflict', `the settings file ${source} already defines a guardrail "${slug}"`);
    }
    // A slug made from the name is not the user's: the name says which guardrail was refused.
    const which = parsed.slug === undefined ? `named ${JSON.stringify(parsed.name)}` : JSON.stringify(slug);
    const definition = withKeptSecrets(which, definitionOf(parsed.definition), {});
    refuseInvalid(which, options.validate?.(slug, definition) ?? []);
    const now = this.#context.now();
    const id = newId();
    const row: Row = {
      id,
      slug,
      name: parsed.name,
      ...sealed(this.#context.vault, id, definition),
      status: parsed.status ?? 'active',
      version_id: newId(),
      created_at: now,
      updated_at: now,
    };
    const record = toRecord(row);
    await writeTransaction(this.#context, async (transaction) => {
      if (await this.#findRow(transaction, slug))
        throw new StoreError('conflict', `a guardrail "${slug}" already exists`);
      await transaction.insertInto('guardrails').values(row).execute();
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'create',
        entity: 'guardrail',
        entityId: row.id,
        after: record,
      });
    });
    return record;
  }

  /** One guardrail by id or slug (stored or file-managed), or a `not_found` {@link StoreError}. */
  async get(reference: string): Promise<GuardrailRecord> {
    const fileGuardrail = this.#fileGuardrail(reference);
    const source = this.#context.settings?.source;
    if (fileGuardrail && source !== undefined) return fileRecord(fileGuardrail, source);
    const row = await read(() => this.#findRow(this.#context.db, reference));
    if (!row) throw notFoundError('guardrail', reference);
    return toRecord(row);
  }

  /** Every guardrail: file-managed first, then stored by creation time. */
  async list(): Promise<GuardrailRecord[]> {
    const rows = await read(() =>
      this.#context.db.selectFrom('guardrails').selectAll().orderBy('created_at').orderBy('id').execute(),
    );
    const settings = this.#context.settings;
    return [
      ...(settings?.guardrails ?? []).map((guardrail) => fileRecord(guardrail, settings?.source ?? '')),
      ...rows.filter((row) => !this.#fileGuardrail(row.slug)).map(toRecord),
    ];
  }

  /** Changes a guardrail; a new definition is validated first. Configs naming it use it from then on. */
  async update(
    reference: string,
    input: UpdateGuardrailInput,
    actor: Actor,
    options: GuardrailWriteOptions = {},
  ): Promise<GuardrailRecord> {
    this.#refuseFileManaged(reference);
    const parsed = parseInput(updateGuardrailInputSchema, input, 'guardrail');
    const now = this.#context.now();
    return writeTransaction(this.#context, async (transaction) => {
      const row = await this.#findRow(transaction, reference);
      if (!row) throw notFoundError('guardrail', reference);
      // Merged and validated under the write lock: the stored definition is the latest one. Its
      // secrets are masked in it: a mask written back (a read's, changed elsewhere) keeps the secret.
      const given =
        parsed.definition !== undefined
          ? definitionOf(parsed.definition)
          : parsed.definitionChanges !== undefined
            ? definitionOf({ ...toRecord(row).definition, ...parsed.definitionChanges })
            : undefined;
      const which = JSON.stringify(row.slug);
      const definition =
        given === undefined
          ? undefined
          : withKeptSecrets(which, given, secretsOfRow(this.#context.vault, row));
      if (definition !== undefined) refuseInvalid(which, options.validate?.(row.slug, definition) ?? []);
      const next: Row = {
        ...row,
        ...(parsed.name === undefined ? {} : { name: parsed.name }),
        // A row written before secrets were encrypted is encrypted at its first change.
        ...(definition !== undefined
          ? sealed(this.#context.vault, row.id, definition)
          : row.secret === null
            ? sealed(this.#context.vault, row.id, JSON.parse(row.definition))
            : {}),
        ...(parsed.status === undefined ? {} : { status: parsed.status }),
        version_id: newId(),
        updated_at: now,
      };
      await transaction.updateTable('guardrails').set(next).where('id', '=', row.id).execute();
      const record = toRecord(next);
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'update',
        entity: 'guardrail',
        entityId: row.id,
        before: toRecord(row),
        after: record,
      });
      return record;
    });
  }

  /**
   * Deletes a guardrail (its audit entries keep its definition). `basis`: what the caller checked
   * first (that no config names it), see {@link WriteBasis}.
   */
  async delete(reference: string, actor: Actor, basis: WriteBasis = {}): Promise<void> {
    this.#refuseFileManaged(reference);
    const now = this.#context.now();
    await writeTransaction(
      this.#context,
      async (transaction) => {
        const row = await this.#findRow(transaction, reference);
        if (!row) throw notFoundError('guardrail', reference);
        await transaction.deleteFrom('guardrails').where('id', '=', row.id).execute();
        await recordAudit(transaction, {
          at: now,
          actor,
          action: 'delete',
          entity: 'guardrail',
          entityId: row.id,
          before: toRecord(row),
        });
      },
      basis,
    );
  }
}
