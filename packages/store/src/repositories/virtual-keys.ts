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
  refusePastExpiry,
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
  type WriteBasis,
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
  /** When the key was disabled (the gateway refuses it until it is enabled), else null. */
  readonly disabledAt: string | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  /** The settings file of a file-managed key (read-only here), else null. */
  readonly managedBy: string | null;
  /**
   * The id of the integration a provider was made from (Portkey's model catalog), else null: its
   * provider, options and credentials are the integration's, changed only through it.
   */
  readonly integrationId: string | null;
  /** That integration's slug (what Portkey's provider objects call `integration_id`), else null. */
  readonly integrationSlug: string | null;
}

type Row = Selectable<VirtualKeysTable>;
/** Provider options that are not credentials. */
export type PlainOptions = Record<string, string | number | boolean>;

/** The credentials of one key (or integration), as encrypted together in the vault. */
export interface SecretPayload {
  api_key?: string;
  options: Record<string, string>;
}

/** The associated data that binds a ciphertext to its virtual key record. */
export function virtualKeyAssociatedData(id: string): string {
  return `virtual_keys:${id}`;
}

/** Options split into plain ones and credentials (to be encrypted). */
function splitOptions(options: PlainOptions): { plain: PlainOptions; secret: Record<string, string> } {
  const plain: PlainOptions = {};
  const secret: Record<string, string> = {};
  for (const [name, value] of Object.entries(options)) {
    if (typeof value === 'string' && isCredentialOption(name)) secret[name] = value;
    else plain[name] = value;
  }
  return { plain, secret };
}

/** The masked form of each credential (`sk-…abcd`), by name. */
export function hintsOf(payload: SecretPayload): Record<string, string> {
  const hints: Record<string, string> = {};
  if (payload.api_key !== undefined) hints.api_key = maskSecret(payload.api_key);
  for (const [name, value] of Object.entries(payload.options)) hints[name] = maskSecret(value);
  return hints;
}

/** Whether there is anything to encrypt. */
function hasSecrets(payload: SecretPayload): boolean {
  return payload.api_key !== undefined || Object.keys(payload.options).length > 0;
}

/** A stored virtual key's record (credentials masked), with its integration's slug when it has one. */
export function virtualKeyRecordOfRow(row: Row, integrationSlug: string | null = null): VirtualKeyRecord {
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
    disabledAt: isoOrNull(row.disabled_at),
    createdAt: isoOrNull(row.created_at),
    updatedAt: isoOrNull(row.updated_at),
    managedBy: null,
    integrationId: row.integration_id ?? null,
    integrationSlug: row.integration_id === null ? null : integrationSlug,
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
    disabledAt: null,
    createdAt: null,
    updatedAt: null,
    managedBy: source,
    integrationId: null,
    integrationSlug: null,
  };
}

function decryptPayload(vault: Vault, row: Pick<Row, 'id' | 'secret'>): SecretPayload {
  return decryptSecretPayload(vault, row.secret, virtualKeyAssociatedData(row.id));
}

/** A record's decrypted credentials (none when it has no secret). */
export function decryptSecretPayload(
  vault: Vault,
  secret: Uint8Array | null,
  associatedData: string,
): SecretPayload {
  if (secret === null) return { options: {} };
  return JSON.parse(vault.decrypt(secret, associatedData)) as SecretPayload;
}

/** A record's credentials encrypted for it, with the master key's id; nulls when there are none. */
export function encryptSecretPayload(
  vault: Vault,
  payload: SecretPayload,
  associatedData: string,
): { secret: Buffer | null; secret_key_id: string | null } {
  if (!hasSecrets(payload)) return { secret: null, secret_key_id: null };
  return {
    secret: vault.encrypt(JSON.stringify(payload), associatedData),
    secret_key_id: vault.newestKeyId,
  };
}

/**
 * The stored columns of a new record's provider options and credentials: the plain options as JSON,
 * the credentials (`apiKey` and credential options) encrypted for the record, their masked hints.
 */
export function credentialColumns(
  vault: Vault,
  given: { readonly apiKey?: string | undefined; readonly options?: PlainOptions | undefined },
  associatedData: string,
): { options: string; secret: Buffer | null; secret_key_id: string | null; secret_hints: string } {
  const { plain, secret } = splitOptions(given.options ?? {});
  const payload: SecretPayload = {
    ...(given.apiKey === undefined ? {} : { api_key: given.apiKey }),
    options: secret,
  };
  return {
    options: JSON.stringify(plain),
    ...encryptSecretPayload(vault, payload, associatedData),
    secret_hints: JSON.stringify(hintsOf(payload)),
  };
}

/**
 * Provider options and credentials changed by an update: each option given replaces the stored one
 * (null removes it; a credential option goes to the secret), `apiKey` replaces (null removes) the key.
 */
export function mergeCredentials(
  plain: PlainOptions,
  payload: SecretPayload,
  change: {
    readonly options?: Readonly<Record<string, string | number | boolean | null>> | undefined;
    readonly apiKey?: string | null | undefined;
  },
): void {
  for (const [name, value] of Object.entries(change.options ?? {})) {
    delete plain[name];
    delete payload.options[name];
    if (value === null) continue;
    if (typeof value === 'string' && isCredentialOption(name)) payload.options[name] = value;
    else plain[name] = value;
  }
  if (change.apiKey === null) delete payload.api_key;
  else if (change.apiKey !== undefined) payload.api_key = change.apiKey;
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

/** The slugs of the integrations the rows were made from, by integration id. */
async function integrationSlugsOf(
  db: Transaction<Database> | StoreContext['db'],
  rows: readonly Pick<Row, 'integration_id'>[],
): Promise<Map<string, string>> {
  const ids = [...new Set(rows.flatMap((row) => (row.integration_id === null ? [] : [row.integration_id])))];
  if (ids.length === 0) return new Map();
  const found = await db.selectFrom('integrations').select(['id', 'slug']).where('id', 'in', ids).execute();
  return new Map(found.map((integration) => [integration.id, integration.slug]));
}

/** A row's record, its integration's slug looked up. */
async function recordWithIntegration(
  db: Transaction<Database> | StoreContext['db'],
  row: Row,
): Promise<VirtualKeyRecord> {
  const slugs = await integrationSlugsOf(db, [row]);
  return virtualKeyRecordOfRow(
    row,
    row.integration_id === null ? null : (slugs.get(row.integration_id) ?? null),
  );
}

/**
 * A provider made from an integration takes its provider, options and credentials from it: an update
 * of those is refused, naming the integration to change instead.
 */
async function refuseIntegrationFields(
  transaction: Transaction<Database>,
  row: Row,
  change: { readonly provider?: unknown; readonly apiKey?: unknown; readonly options?: unknown },
): Promise<void> {
  const fields = (['provider', 'apiKey', 'options'] as const).filter((name) => change[name] !== undefined);
  if (fields.length === 0 || row.integration_id === null) return;
  const integration = await transaction
    .selectFrom('integrations')
    .select('slug')
    .where('id', '=', row.integration_id)
    .executeTakeFirst();
  throw new StoreError(
    'conflict',
    `the provider "${row.slug}" takes its provider, key and options from the integration "${integration?.slug ?? row.integration_id}": change them there`,
  );
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
    return encryptSecretPayload(this.#context.vault, payload, virtualKeyAssociatedData(id));
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
    const now = this.#context.now();
    refusePastExpiry(parsed.expiresAt, now, 'virtual key');
    const row: Row = {
      id,
      slug,
      name: parsed.name,
      note: parsed.note ?? null,
      provider: parsed.provider,
      models: JSON.stringify(parsed.models ?? []),
      allowed_hosts: JSON.stringify(parsed.allowedHosts ?? []),
      ...credentialColumns(this.#context.vault, parsed, virtualKeyAssociatedData(id)),
      usage_limits: jsonOrNull(parsed.usageLimits),
      rate_limits: jsonOrNull(parsed.rateLimits),
      expires_at: parsed.expiresAt ?? null,
      created_at: now,
      updated_at: now,
      integration_id: null,
      disabled_at: null,
    };
    const record = virtualKeyRecordOfRow(row);
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
    return read(async () => {
      const row = await this.#findRow(this.#context.db, reference);
      if (!row) throw notFoundError('virtual key', reference);
      return recordWithIntegration(this.#context.db, row);
    });
  }

  /** Every key: file-managed first, then stored by creation time. */
  async list(): Promise<VirtualKeyRecord[]> {
    const { rows, slugs } = await read(async () => {
      const all = await this.#context.db
        .selectFrom('virtual_keys')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return { rows: all, slugs: await integrationSlugsOf(this.#context.db, all) };
    });
    const settings = this.#context.settings;
    return [
      ...(settings?.virtualKeys ?? []).map((key) => fileRecord(key, settings?.source ?? '')),
      ...rows
        .filter((row) => !this.#fileKey(row.slug))
        .map((row) =>
          virtualKeyRecordOfRow(
            row,
            row.integration_id === null ? null : (slugs.get(row.integration_id) ?? null),
          ),
        ),
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
      refusePastExpiry(parsed.expiresAt, now, 'virtual key', row.expires_at);
      if (row.integration_id !== null) await refuseIntegrationFields(transaction, row, parsed);
      const payload = decryptPayload(this.#context.vault, row);
      const plain = parseJson<PlainOptions>(row.options) ?? {};
      mergeCredentials(plain, payload, parsed);
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
        // Disabling keeps the first instant it was disabled; enabling clears it.
        ...(parsed.disabled === undefined
          ? {}
          : { disabled_at: parsed.disabled ? (row.disabled_at ?? now) : null }),
        updated_at: now,
      };
      await transaction.updateTable('virtual_keys').set(next).where('id', '=', row.id).execute();
      const record = await recordWithIntegration(transaction, next);
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'update',
        entity: 'virtual_key',
        entityId: row.id,
        before: virtualKeyRecordOfRow(row),
        after: record,
      });
      return record;
    });
  }

  /**
   * Deletes a key (its audit entries stay, credentials masked). `basis`: what the caller checked
   * first (that no config or prompt uses the key), see {@link WriteBasis}.
   */
  async delete(reference: string, actor: Actor, basis: WriteBasis = {}): Promise<void> {
    this.#refuseFileManaged(reference);
    const now = this.#context.now();
    await writeTransaction(
      this.#context,
      async (transaction) => {
        const row = await this.#findRow(transaction, reference);
        if (!row) throw notFoundError('virtual key', reference);
        await transaction.deleteFrom('virtual_keys').where('id', '=', row.id).execute();
        await recordAudit(transaction, {
          at: now,
          actor,
          action: 'delete',
          entity: 'virtual_key',
          entityId: row.id,
          before: virtualKeyRecordOfRow(row),
        });
      },
      basis,
    );
  }
}
