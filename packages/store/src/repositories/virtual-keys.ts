import type { Selectable, Transaction } from 'kysely';
import type { VirtualKey } from '../catalog/catalog.js';
import type { Database, VirtualKeysTable } from '../database/schema.js';
import { StoreError } from '../errors.js';
import { newId, newVirtualKeySlug } from '../ids.js';
import type { RateLimit, UsageLimits } from '../limits.js';
import { isCredentialOption, maskSecret, Secret } from '../secret.js';
import type { Vault } from '../vault/vault.js';
import {
  type CreateVirtualKeyInput,
  createVirtualKeyInputSchema,
  parseInput,
  type UpdateVirtualKeyInput,
  updateVirtualKeyInputSchema,
} from './inputs.js';
import {
  type Actor,
  isoOrNull,
  jsonOrNull,
  notFoundError,
  parseJson,
  read,
  readOnlyError,
  recordAudit,
  type StoreContext,
  writeTransaction,
} from './store-context.js';

/** A virtual key as reads return it: credentials only as masked hints (`sk-…abcd`). */
export interface VirtualKeyRecord {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly note: string | null;
  readonly provider: string;
  /** The options that are not credentials. */
  readonly options: Readonly<Record<string, string | number | boolean>>;
  /** Credential name (`api_key`, `aws_secret_access_key` …) → its masked form. */
  readonly secretHints: Readonly<Record<string, string>>;
  readonly models: readonly string[];
  readonly allowedHosts: readonly string[];
  readonly usageLimits: UsageLimits | null;
  readonly rateLimits: readonly RateLimit[] | null;
  readonly expiresAt: string | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  /** The settings file of a file-managed key (read-only here), else null. */
  readonly managedBy: string | null;
}

type Row = Selectable<VirtualKeysTable>;
type PlainOptions = Record<string, string | number | boolean>;

/** The credentials of one key, as encrypted together in the vault. */
interface SecretPayload {
  api_key?: string;
  options: Record<string, string>;
}

/** The associated data that binds a ciphertext to its virtual key record. */
export function virtualKeyAssociatedData(id: string): string {
  return `virtual_keys:${id}`;
}

function splitOptions(options: PlainOptions): { plain: PlainOptions; secret: Record<string, string> } {
  const plain: PlainOptions = {};
  const secret: Record<string, string> = {};
  for (const [name, value] of Object.entries(options)) {
    if (typeof value === 'string' && isCredentialOption(name)) secret[name] = value;
    else plain[name] = value;
  }
  return { plain, secret };
}

function hintsOf(payload: SecretPayload): Record<string, string> {
  const hints: Record<string, string> = {};
  if (payload.api_key !== undefined) hints.api_key = maskSecret(payload.api_key);
  for (const [name, value] of Object.entries(payload.options)) hints[name] = maskSecret(value);
  return hints;
}

function hasSecrets(payload: SecretPayload): boolean {
  return payload.api_key !== undefined || Object.keys(payload.options).length > 0;
}

function toRecord(row: Row): VirtualKeyRecord {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    note: row.note,
    provider: row.provider,
    options: parseJson<PlainOptions>(row.options) ?? {},
    secretHints: parseJson<Record<string, string>>(row.secret_hints) ?? {},
    models: parseJson<string[]>(row.models) ?? [],
    allowedHosts: parseJson<string[]>(row.allowed_hosts) ?? [],
    usageLimits: parseJson<UsageLimits>(row.usage_limits),
    rateLimits: parseJson<RateLimit[]>(row.rate_limits),
    expiresAt: isoOrNull(row.expires_at),
    createdAt: isoOrNull(row.created_at),
    updatedAt: isoOrNull(row.updated_at),
    managedBy: null,
  };
}

function fileRecord(key: VirtualKey, source: string): VirtualKeyRecord {
  const options: PlainOptions = {};
  const secretHints: Record<string, string> = {};
  if (key.apiKey) secretHints.api_key = maskSecret(key.apiKey.reveal());
  for (const [name, value] of Object.entries(key.options)) {
    if (value instanceof Secret) secretHints[name] = maskSecret(value.reveal());
    else options[name] = value;
  }
  return {
    id: key.id,
    slug: key.slug,
    name: key.slug,
    note: null,
    provider: key.provider,
    options,
    secretHints,
    models: key.models,
    allowedHosts: key.allowedHosts,
    usageLimits: key.usageLimits ?? null,
    rateLimits: key.rateLimits ?? null,
    expiresAt: isoOrNull(key.expiresAt),
    createdAt: null,
    updatedAt: null,
    managedBy: source,
  };
}

function decryptPayload(vault: Vault, row: Pick<Row, 'id' | 'secret'>): SecretPayload {
  if (row.secret === null) return { options: {} };
  return JSON.parse(vault.decrypt(row.secret, virtualKeyAssociatedData(row.id))) as SecretPayload;
}

/**
 * The request-path form of a stored virtual key: its credentials decrypted into {@link Secret}s.
 * Throws a `VaultError` when the ring lacks the key or the value was tampered with.
 */
export function virtualKeyOfRow(vault: Vault, row: Row): VirtualKey {
  const payload = decryptPayload(vault, row);
  const options: Record<string, string | number | boolean | Secret> = {
    ...(parseJson<PlainOptions>(row.options) ?? {}),
  };
  for (const [name, value] of Object.entries(payload.options)) options[name] = new Secret(value);
  const usageLimits = parseJson<UsageLimits>(row.usage_limits);
  const rateLimits = parseJson<RateLimit[]>(row.rate_limits);
  return {
    id: row.id,
    slug: row.slug,
    provider: row.provider,
    ...(payload.api_key === undefined ? {} : { apiKey: new Secret(payload.api_key) }),
    options,
    allowedHosts: parseJson<string[]>(row.allowed_hosts) ?? [],
    models: parseJson<string[]>(row.models) ?? [],
    ...(usageLimits ? { usageLimits } : {}),
    ...(rateLimits ? { rateLimits } : {}),
    ...(row.expires_at === null ? {} : { expiresAt: row.expires_at }),
  };
}

/**
 * Virtual keys: a provider, its options and its credentials, the credentials encrypted in the vault
 * (AES-256-GCM, bound to the record) and never returned by reads. Keys from the settings file are
 * listed but read-only. Every change is audited with credentials masked.
 */
export class VirtualKeyRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  #fileKey(reference: string): VirtualKey | undefined {
    return this.#context.settings?.virtualKeys.find((key) => key.slug === reference || key.id === reference);
  }

  #refuseFileManaged(reference: string): void {
    const source = this.#context.settings?.source;
    const fileKey = this.#fileKey(reference);
    if (source !== undefined && fileKey) throw readOnlyError('virtual key', fileKey.slug, source);
  }

  #encrypt(id: string, payload: SecretPayload): { secret: Buffer | null; secret_key_id: string | null } {
    if (!hasSecrets(payload)) return { secret: null, secret_key_id: null };
    const vault = this.#context.vault;
    return {
      secret: vault.encrypt(JSON.stringify(payload), virtualKeyAssociatedData(id)),
      secret_key_id: vault.newestKeyId,
    };
  }

  async #findRow(
    transaction: Transaction<Database> | StoreContext['db'],
    reference: string,
  ): Promise<Row | undefined> {
    return transaction
      .selectFrom('virtual_keys')
      .selectAll()
      .where((expression) =>
        expression.or([expression('id', '=', reference), expression('slug', '=', reference)]),
      )
      .executeTakeFirst();
  }

  /** Creates a virtual key; its credentials are encrypted before they reach the database. */
  async create(input: CreateVirtualKeyInput, actor: Actor): Promise<VirtualKeyRecord> {
    const parsed = parseInput(createVirtualKeyInputSchema, input, 'virtual key');
    const slug = parsed.slug ?? newVirtualKeySlug(parsed.name);
    const source = this.#context.settings?.source;
    if (source !== undefined && this.#fileKey(slug)) {
      throw new StoreError('conflict', `the settings file ${source} already defines a virtual key "${slug}"`);
    }
    const id = newId();
    const { plain, secret } = splitOptions(parsed.options ?? {});
    const payload: SecretPayload = {
      ...(parsed.apiKey === undefined ? {} : { api_key: parsed.apiKey }),
      options: secret,
    };
    const now = this.#context.now();
    const row: Row = {
      id,
      slug,
      name: parsed.name,
      note: parsed.note ?? null,
      provider: parsed.provider,
      options: JSON.stringify(plain),
      models: JSON.stringify(parsed.models ?? []),
      allowed_hosts: JSON.stringify(parsed.allowedHosts ?? []),
      ...this.#encrypt(id, payload),
      secret_hints: JSON.stringify(hintsOf(payload)),
      usage_limits: jsonOrNull(parsed.usageLimits),
      rate_limits: jsonOrNull(parsed.rateLimits),
      expires_at: parsed.expiresAt ?? null,
      created_at: now,
      updated_at: now,
    };
    const record = toRecord(row);
    await writeTransaction(this.#context, async (transaction) => {
      const existing = await this.#findRow(transaction, slug);
      if (existing) throw new StoreError('conflict', `a virtual key "${slug}" already exists`);
      await transaction.insertInto('virtual_keys').values(row).execute();
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'create',
        entity: 'virtual_key',
        entityId: id,
        after: record,
      });
    });
    return record;
  }

  /** One key by id or slug (stored or file-managed), or a `not_found` {@link StoreError}. */
  async get(reference: string): Promise<VirtualKeyRecord> {
    const fileKey = this.#fileKey(reference);
    const source = this.#context.settings?.source;
    if (fileKey && source !== undefined) return fileRecord(fileKey, source);
    const row = await read(() => this.#findRow(this.#context.db, reference));
    if (!row) throw notFoundError('virtual key', reference);
    return toRecord(row);
  }

  /** Every key: file-managed first, then stored by creation time. */
  async list(): Promise<VirtualKeyRecord[]> {
    const rows = await read(() =>
      this.#context.db.selectFrom('virtual_keys').selectAll().orderBy('created_at').orderBy('id').execute(),
    );
    const settings = this.#context.settings;
    return [
      ...(settings?.virtualKeys ?? []).map((key) => fileRecord(key, settings?.source ?? '')),
      ...rows.filter((row) => !this.#fileKey(row.slug)).map(toRecord),
    ];
  }

  /** Changes a key; credentials given are re-encrypted, those not given are kept. */
  async update(reference: string, input: UpdateVirtualKeyInput, actor: Actor): Promise<VirtualKeyRecord> {
    this.#refuseFileManaged(reference);
    const parsed = parseInput(updateVirtualKeyInputSchema, input, 'virtual key');
    const now = this.#context.now();
    return writeTransaction(this.#context, async (transaction) => {
      const row = await this.#findRow(transaction, reference);
      if (!row) throw notFoundError('virtual key', reference);
      const payload = decryptPayload(this.#context.vault, row);
      const plain = parseJson<PlainOptions>(row.options) ?? {};
      for (const [name, value] of Object.entries(parsed.options ?? {})) {
        delete plain[name];
        delete payload.options[name];
        if (value === null) continue;
        if (typeof value === 'string' && isCredentialOption(name)) payload.options[name] = value;
        else plain[name] = value;
      }
      if (parsed.apiKey === null) delete payload.api_key;
      else if (parsed.apiKey !== undefined) payload.api_key = parsed.apiKey;
      const next: Row = {
        ...row,
        ...(parsed.name === undefined ? {} : { name: parsed.name }),
        ...(parsed.note === undefined ? {} : { note: parsed.note }),
        ...(parsed.provider === undefined ? {} : { provider: parsed.provider }),
        options: JSON.stringify(plain),
        ...(parsed.models === undefined ? {} : { models: JSON.stringify(parsed.models) }),
        ...(parsed.allowedHosts === undefined ? {} : { allowed_hosts: JSON.stringify(parsed.allowedHosts) }),
        ...this.#encrypt(row.id, payload),
        secret_hints: JSON.stringify(hintsOf(payload)),
        ...(parsed.usageLimits === undefined ? {} : { usage_limits: jsonOrNull(parsed.usageLimits) }),
        ...(parsed.rateLimits === undefined ? {} : { rate_limits: jsonOrNull(parsed.rateLimits) }),
        ...(parsed.expiresAt === undefined ? {} : { expires_at: parsed.expiresAt }),
        updated_at: now,
      };
      await transaction.updateTable('virtual_keys').set(next).where('id', '=', row.id).execute();
      const record = toRecord(next);
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'update',
        entity: 'virtual_key',
        entityId: row.id,
        before: toRecord(row),
        after: record,
      });
      return record;
    });
  }

  /** Deletes a key (its audit entries stay, credentials masked). */
  async delete(reference: string, actor: Actor): Promise<void> {
    this.#refuseFileManaged(reference);
    const now = this.#context.now();
    await writeTransaction(this.#context, async (transaction) => {
      const row = await this.#findRow(transaction, reference);
      if (!row) throw notFoundError('virtual key', reference);
      await transaction.deleteFrom('virtual_keys').where('id', '=', row.id).execute();
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'delete',
        entity: 'virtual_key',
        entityId: row.id,
        before: toRecord(row),
      });
    });
  }
}
