import type { Selectable } from 'kysely';
import type { GatewayKey } from '../catalog/catalog.js';
import type { GatewayKeysTable } from '../database/schema.js';
import { StoreError } from '../errors.js';
import { hashGatewayKeySecret, newGatewayKeySecret, newId } from '../ids.js';
import type { RateLimit, UsageLimits } from '../limits.js';
import { maskSecret } from '../secret.js';
import {
  type CreateGatewayKeyInput,
  createGatewayKeyInputSchema,
  parseInput,
  refusePastExpiry,
  type UpdateGatewayKeyInput,
  updateGatewayKeyInputSchema,
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

/** A gateway key as reads return it: never the secret, never its hash. */
export interface GatewayKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly tenant: string;
  readonly role: 'user' | 'admin';
  /** The masked secret (`pk-…abcd`); `null` for file-managed keys. */
  readonly keyHint: string | null;
  readonly virtualKeys: readonly string[] | null;
  readonly configs: readonly string[] | null;
  readonly scopes: readonly string[];
  readonly rateLimits: readonly RateLimit[] | null;
  readonly usageLimits: UsageLimits | null;
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly description: string | null;
  /** Portkey's API-key fields kept as sent (`type`, `user_id`, `defaults`, `alert_emails` …). */
  readonly attributes: Readonly<Record<string, unknown>> | null;
  /** ISO 8601 times; `null` when not set (file-managed keys have no creation time). */
  readonly expiresAt: string | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  readonly revokedAt: string | null;
  /** When the key last authenticated a request (written in batches, so up to a flush interval late). */
  readonly lastUsedAt: string | null;
  /** The settings file of a file-managed key (read-only here), else null. */
  readonly managedBy: string | null;
}

/** A created key: the record, and its secret, which is shown this once and never stored. */
export interface CreatedGatewayKey {
  readonly record: GatewayKeyRecord;
  readonly secret: string;
}

/** Options of `gatewayKeys.list`. */
export interface ListGatewayKeysOptions {
  /** Only keys of this tenant. */
  readonly tenant?: string;
  /** Include revoked keys (default false). */
  readonly includeRevoked?: boolean;
}

type Row = Selectable<GatewayKeysTable>;

function toRecord(row: Row, lastUsedAt: number | null): GatewayKeyRecord {
  return {
    id: row.id,
    name: row.name,
    tenant: row.tenant,
    role: row.role === 'admin' ? 'admin' : 'user',
    keyHint: row.key_hint,
    virtualKeys: parseJson<string[]>(row.virtual_keys),
    configs: parseJson<string[]>(row.configs),
    scopes: parseJson<string[]>(row.scopes) ?? [],
    rateLimits: parseJson<RateLimit[]>(row.rate_limits),
    usageLimits: parseJson<UsageLimits>(row.usage_limits),
    metadata: parseJson<Record<string, string>>(row.metadata),
    description: row.description,
    attributes: parseJson<Record<string, unknown>>(row.attributes),
    expiresAt: isoOrNull(row.expires_at),
    createdAt: isoOrNull(row.created_at),
    updatedAt: isoOrNull(row.updated_at),
    revokedAt: isoOrNull(row.revoked_at),
    lastUsedAt: isoOrNull(lastUsedAt),
    managedBy: null,
  };
}

/** The request-path form of a stored key row. */
export function gatewayKeyOfRow(row: Row): GatewayKey {
  const virtualKeys = parseJson<string[]>(row.virtual_keys);
  const configs = parseJson<string[]>(row.configs);
  const rateLimits = parseJson<RateLimit[]>(row.rate_limits);
  const usageLimits = parseJson<UsageLimits>(row.usage_limits);
  return {
    id: row.id,
    name: row.name,
    tenant: row.tenant,
    role: row.role === 'admin' ? 'admin' : 'user',
    keyHash: row.key_hash,
    ...(virtualKeys ? { virtualKeys: new Set(virtualKeys) } : {}),
    ...(configs ? { configs: new Set(configs) } : {}),
    scopes: parseJson<string[]>(row.scopes) ?? [],
    ...(row.expires_at === null ? {} : { expiresAt: row.expires_at }),
    ...(rateLimits ? { rateLimits } : {}),
    ...(usageLimits ? { usageLimits } : {}),
  };
}

/** The read form of a file-managed key. */
function fileRecord(key: GatewayKey, source: string, lastUsedAt: number | null): GatewayKeyRecord {
  return {
    id: key.id,
    name: key.name,
    tenant: key.tenant,
    role: key.role,
    keyHint: null,
    virtualKeys: key.virtualKeys ? [...key.virtualKeys] : null,
    configs: key.configs ? [...key.configs] : null,
    scopes: key.scopes,
    rateLimits: key.rateLimits ?? null,
    usageLimits: key.usageLimits ?? null,
    metadata: null,
    description: null,
    attributes: null,
    expiresAt: isoOrNull(key.expiresAt),
    createdAt: null,
    updatedAt: null,
    revokedAt: null,
    lastUsedAt: isoOrNull(lastUsedAt),
    managedBy: source,
  };
}

/**
 * Gateway keys: created with a generated secret (returned once, stored as a SHA-256), updated,
 * revoked (kept, refused everywhere within a second) or deleted. Keys from the settings file are
 * listed but read-only. Every change is audited.
 */
export class GatewayKeyRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  #fileKey(id: string): GatewayKey | undefined {
    return this.#context.settings?.gatewayKeys.find((key) => key.id === id);
  }

  #refuseFileManaged(id: string): void {
    const source = this.#context.settings?.source;
    if (source !== undefined && this.#fileKey(id)) throw readOnlyError('gateway key', id, source);
  }

  async #lastUsed(ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await this.#context.db
      .selectFrom('gateway_key_usage')
      .select(['key_id', 'last_used_at'])
      .where('key_id', 'in', ids)
      .execute();
    return new Map(rows.map((row) => [row.key_id, row.last_used_at]));
  }

  async #checkReferences(
    virtualKeys: readonly string[] | null | undefined,
    configs: readonly string[] | null | undefined,
  ): Promise<void> {
    const problems: { path: string; message: string }[] = [];
    const settings = this.#context.settings;
    for (const [index, slug] of (virtualKeys ?? []).entries()) {
      const inFile = settings?.virtualKeys.some((key) => key.slug === slug);
      const stored = inFile
        ? true
        : await this.#context.db
            .selectFrom('virtual_keys')
            .select('id')
            .where('slug', '=', slug)
            .executeTakeFirst();
      if (!stored) problems.push({ path: `virtualKeys.${index}`, message: `no virtual key "${slug}"` });
    }
    for (const [index, slug] of (configs ?? []).entries()) {
      const inFile = settings?.configs.some((config) => config.slug === slug);
      const stored = inFile
        ? true
        : await this.#context.db
            .selectFrom('configs')
            .select('id')
            .where('slug', '=', slug)
            .executeTakeFirst();
      if (!stored) problems.push({ path: `configs.${index}`, message: `no saved config "${slug}"` });
    }
    if (problems.length > 0) {
      throw new StoreError(
        'invalid',
        `invalid gateway key: ${problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`,
        { issues: problems },
      );
    }
  }

  /** Creates a key. The secret is in the result only: store it now, it cannot be read again. */
  async create(input: CreateGatewayKeyInput, actor: Actor): Promise<CreatedGatewayKey> {
    const parsed = parseInput(createGatewayKeyInputSchema, input, 'gateway key');
    const id = parsed.id ?? newId();
    const source = this.#context.settings?.source;
    if (source !== undefined && this.#fileKey(id)) {
      throw new StoreError('conflict', `the settings file ${source} already defines a gateway key "${id}"`);
    }
    await read(() => this.#checkReferences(parsed.virtualKeys, parsed.configs));
    const now = this.#context.now();
    refusePastExpiry(parsed.expiresAt, now, 'gateway key');
    const secret = newGatewayKeySecret();
    const row: Row = {
      id,
      name: parsed.name ?? id,
      tenant: parsed.tenant ?? id,
      role: parsed.role ?? 'user',
      key_hash: hashGatewayKeySecret(secret),
      key_hint: maskSecret(secret),
      virtual_keys: jsonOrNull(parsed.virtualKeys),
      configs: jsonOrNull(parsed.configs),
      scopes: JSON.stringify(parsed.scopes ?? []),
      rate_limits: jsonOrNull(parsed.rateLimits),
      usage_limits: jsonOrNull(parsed.usageLimits),
      metadata: jsonOrNull(parsed.metadata),
      description: parsed.description ?? null,
      attributes: jsonOrNull(parsed.attributes),
      expires_at: parsed.expiresAt ?? null,
      revoked_at: null,
      created_at: now,
      updated_at: now,
    };
    const record = toRecord(row, null);
    await writeTransaction(this.#context, async (transaction) => {
      const existing = await transaction
        .selectFrom('gateway_keys')
        .select('id')
        .where('id', '=', id)
        .executeTakeFirst();
      if (existing) throw new StoreError('conflict', `a gateway key "${id}" already exists`);
      await transaction.insertInto('gateway_keys').values(row).execute();
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'create',
        entity: 'gateway_key',
        entityId: id,
        after: record,
      });
    });
    return { record, secret };
  }

  /** One key by id (stored or file-managed), or a `not_found` {@link StoreError}. */
  async get(id: string): Promise<GatewayKeyRecord> {
    return read(async () => {
      const usage = await this.#lastUsed([id]);
      const fileKey = this.#fileKey(id);
      const source = this.#context.settings?.source;
      if (fileKey && source !== undefined) return fileRecord(fileKey, source, usage.get(id) ?? null);
      const row = await this.#context.db
        .selectFrom('gateway_keys')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw notFoundError('gateway key', id);
      return toRecord(row, usage.get(id) ?? null);
    });
  }

  /** Every key (file-managed first, then stored by creation time). */
  async list(options: ListGatewayKeysOptions = {}): Promise<GatewayKeyRecord[]> {
    return read(async () => {
      let query = this.#context.db.selectFrom('gateway_keys').selectAll().orderBy('created_at').orderBy('id');
      if (options.tenant !== undefined) query = query.where('tenant', '=', options.tenant);
      if (!options.includeRevoked) query = query.where('revoked_at', 'is', null);
      const rows = await query.execute();
      const settings = this.#context.settings;
      const fileKeys = (settings?.gatewayKeys ?? []).filter(
        (key) => options.tenant === undefined || key.tenant === options.tenant,
      );
      const usage = await this.#lastUsed([...fileKeys.map((key) => key.id), ...rows.map((row) => row.id)]);
      return [
        ...fileKeys.map((key) => fileRecord(key, settings?.source ?? '', usage.get(key.id) ?? null)),
        ...rows
          .filter((row) => !this.#fileKey(row.id))
          .map((row) => toRecord(row, usage.get(row.id) ?? null)),
      ];
    });
  }

  /** Changes a key's fields (not its secret). */
  async update(id: string, input: UpdateGatewayKeyInput, actor: Actor): Promise<GatewayKeyRecord> {
    this.#refuseFileManaged(id);
    const parsed = parseInput(updateGatewayKeyInputSchema, input, 'gateway key');
    await read(() => this.#checkReferences(parsed.virtualKeys, parsed.configs));
    const now = this.#context.now();
    return writeTransaction(this.#context, async (transaction) => {
      const row = await transaction
        .selectFrom('gateway_keys')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw notFoundError('gateway key', id);
      refusePastExpiry(parsed.expiresAt, now, 'gateway key', row.expires_at);
      const next: Row = {
        ...row,
        ...(parsed.name === undefined ? {} : { name: parsed.name }),
        ...(parsed.tenant === undefined ? {} : { tenant: parsed.tenant }),
        ...(parsed.role === undefined ? {} : { role: parsed.role }),
        ...(parsed.virtualKeys === undefined ? {} : { virtual_keys: jsonOrNull(parsed.virtualKeys) }),
        ...(parsed.configs === undefined ? {} : { configs: jsonOrNull(parsed.configs) }),
        ...(parsed.scopes === undefined ? {} : { scopes: JSON.stringify(parsed.scopes) }),
        ...(parsed.rateLimits === undefined ? {} : { rate_limits: jsonOrNull(parsed.rateLimits) }),
        ...(parsed.usageLimits === undefined ? {} : { usage_limits: jsonOrNull(parsed.usageLimits) }),
        ...(parsed.metadata === undefined ? {} : { metadata: jsonOrNull(parsed.metadata) }),
        ...(parsed.description === undefined ? {} : { description: parsed.description }),
        ...(parsed.attributes === undefined ? {} : { attributes: jsonOrNull(parsed.attributes) }),
        ...(parsed.expiresAt === undefined ? {} : { expires_at: parsed.expiresAt }),
        updated_at: now,
      };
      await transaction.updateTable('gateway_keys').set(next).where('id', '=', id).execute();
      const record = toRecord(next, null);
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'update',
        entity: 'gateway_key',
        entityId: id,
        before: toRecord(row, null),
        after: record,
      });
      return record;
    });
  }

  /** Revokes a key: it stays listed (with `revokedAt`) and stops working on every replica within 1 s. */
  async revoke(id: string, actor: Actor): Promise<GatewayKeyRecord> {
    this.#refuseFileManaged(id);
    const now = this.#context.now();
    return writeTransaction(this.#context, async (transaction) => {
      const row = await transaction
        .selectFrom('gateway_keys')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw notFoundError('gateway key', id);
      if (row.revoked_at !== null) return toRecord(row, null);
      const next = { ...row, revoked_at: now, updated_at: now };
      await transaction
        .updateTable('gateway_keys')
        .set({ revoked_at: now, updated_at: now })
        .where('id', '=', id)
        .execute();
      const record = toRecord(next, null);
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'revoke',
        entity: 'gateway_key',
        entityId: id,
        before: toRecord(row, null),
        after: record,
      });
      return record;
    });
  }

  /** Deletes a key outright (its audit entries stay). */
  async delete(id: string, actor: Actor): Promise<void> {
    this.#refuseFileManaged(id);
    const now = this.#context.now();
    await writeTransaction(this.#context, async (transaction) => {
      const row = await transaction
        .selectFrom('gateway_keys')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw notFoundError('gateway key', id);
      await transaction.deleteFrom('gateway_keys').where('id', '=', id).execute();
      await transaction.deleteFrom('gateway_key_usage').where('key_id', '=', id).execute();
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'delete',
        entity: 'gateway_key',
        entityId: id,
        before: toRecord(row, null),
      });
    });
  }

  /** True when at least one active key has the `admin` role (the settings file's included). */
  async hasAdmin(): Promise<boolean> {
    if (this.#context.settings?.gatewayKeys.some((key) => key.role === 'admin')) return true;
    const now = this.#context.now();
    const row = await read(() =>
      this.#context.db
        .selectFrom('gateway_keys')
        .select('id')
        .where('role', '=', 'admin')
        .where('revoked_at', 'is', null)
        .where((expression) =>
          expression.or([expression('expires_at', 'is', null), expression('expires_at', '>', now)]),
        )
        .executeTakeFirst(),
    );
    return row !== undefined;
  }
}
