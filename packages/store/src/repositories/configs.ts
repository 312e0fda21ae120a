import { type Config, parseConfig } from '@pk/config';
import type { Selectable, Transaction } from 'kysely';
import type { SavedConfig } from '../catalog/catalog.js';
import type { ConfigsTable, ConfigVersionsTable, Database } from '../database/schema.js';
import { StoreError, type StoreIssue } from '../errors.js';
import { newConfigSlug, newId } from '../ids.js';
import type { Vault } from '../vault/vault.js';
import {
  configPathOf,
  isMaskedSecret,
  keepMaskedSecrets,
  restoreConfigSecrets,
  separateConfigSecrets,
} from './config-secrets.js';
import {
  type CreateConfigInput,
  createConfigInputSchema,
  HEADER_UNSAFE_CREDENTIAL,
  isHeaderSafeCredential,
  parseInput,
  type UpdateConfigInput,
  updateConfigInputSchema,
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

/** A saved config as reads return it: the latest version's content. */
export interface ConfigRecord {
  readonly id: string;
  /** What requests name: `x-portkey-config: <slug>`. */
  readonly slug: string;
  readonly name: string;
  readonly isDefault: boolean;
  readonly status: string;
  /** The version the slug serves (Portkey's `version_id`); null for file-managed configs. */
  readonly versionId: string | null;
  readonly version: number | null;
  /** The config as `parseConfig` normalised it, credentials masked (`sk-…abcd`). */
  readonly config: unknown;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  /** The settings file of a file-managed config (read-only here), else null. */
  readonly managedBy: string | null;
}

/** One version of a saved config. Versions are never changed; a rollback adds a new one. */
export interface ConfigVersionRecord {
  /** Portkey's `version_id`. */
  readonly id: string;
  readonly configId: string;
  /** 1, 2, 3 … */
  readonly version: number;
  /** The config, credentials masked. */
  readonly config: unknown;
  /** For a rollback: the version whose content this one restored. */
  readonly restoredFrom: string | null;
  readonly createdAt: string;
  /** The actor that wrote it. */
  readonly createdBy: string;
}

/**
 * Further checks of a config before it is written, beyond `parseConfig`: the gateway passes its
 * hook compiler's (guardrail ids, regexes, JSON Schemas), so a config written through the admin API
 * is validated exactly like a settings-file config. Paths are rooted at `config`.
 */
export interface ConfigWriteOptions extends WriteBasis {
  readonly validate?: (config: Config) => readonly StoreIssue[];
}

type ConfigRow = Selectable<ConfigsTable>;
type VersionRow = Selectable<ConfigVersionsTable>;

/** A validated config: its masked JSON text and the credentials taken out of it. */
interface ValidatedConfig {
  readonly text: string;
  readonly secrets: Record<string, unknown>;
}

/** The associated data that binds a config version's credentials to that version. */
export function configVersionAssociatedData(versionId: string): string {
  return `config_versions:${versionId}`;
}

function encryptConfigSecrets(
  vault: Vault,
  versionId: string,
  secrets: Record<string, unknown>,
): { secret: Buffer | null; secret_key_id: string | null } {
  if (Object.keys(secrets).length === 0) return { secret: null, secret_key_id: null };
  return {
    secret: vault.encrypt(JSON.stringify(secrets), configVersionAssociatedData(versionId)),
    secret_key_id: vault.newestKeyId,
  };
}

/** The credentials of a config version (empty when it has none). Throws a `VaultError`. */
export function decryptConfigSecrets(
  vault: Vault,
  row: Pick<VersionRow, 'id' | 'secret'>,
): Record<string, unknown> {
  if (row.secret === null) return {};
  return JSON.parse(vault.decrypt(row.secret, configVersionAssociatedData(row.id))) as Record<
    string,
    unknown
  >;
}

/** The full config of a version, credentials decrypted back in place: only for the request path. */
export function configOfVersion(
  vault: Vault,
  row: Pick<VersionRow, 'id' | 'secret' | 'config'>,
): Record<string, unknown> {
  const masked = JSON.parse(row.config) as Record<string, unknown>;
  return row.secret === null ? masked : restoreConfigSecrets(masked, decryptConfigSecrets(vault, row));
}

/**
 * A validated config whose credentials given as masks are the current version's own again (see
 * `keepMaskedSecrets`; `current` is empty for a new config), or an `invalid` error at each mask
 * that masks none and at each `api_key` that cannot be sent in a header.
 */
function withKeptSecrets(content: ValidatedConfig, current: Record<string, unknown>): ValidatedConfig {
  let kept = content;
  if (Object.values(content.secrets).some(isMaskedSecret)) {
    const { secrets, issues } = keepMaskedSecrets(content.secrets, current);
    refuseConfigIssues(issues);
    const restored = restoreConfigSecrets(JSON.parse(content.text) as Record<string, unknown>, secrets);
    kept = { text: JSON.stringify(separateConfigSecrets(restored).masked), secrets };
  }
  refuseConfigIssues(
    Object.entries(kept.secrets)
      .filter(([path, value]) => path.split('.').at(-1) === 'api_key' && typeof value === 'string')
      .filter(([, value]) => !isHeaderSafeCredential(value as string))
      .map(([path]) => ({ path: configPathOf(path), message: HEADER_UNSAFE_CREDENTIAL })),
  );
  return kept;
}

function refuseConfigIssues(issues: readonly StoreIssue[]): void {
  if (issues.length === 0) return;
  throw new StoreError(
    'invalid',
    `invalid config: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    { issues },
  );
}

function toRecord(config: ConfigRow, version: VersionRow): ConfigRecord {
  return {
    id: config.id,
    slug: config.slug,
    name: config.name,
    isDefault: config.is_default === 1,
    status: config.status,
    versionId: version.id,
    version: version.version,
    config: JSON.parse(version.config) as unknown,
    createdAt: isoOrNull(config.created_at),
    updatedAt: isoOrNull(config.updated_at),
    managedBy: null,
  };
}

function toVersionRecord(row: VersionRow): ConfigVersionRecord {
  return {
    id: row.id,
    configId: row.config_id,
    version: row.version,
    config: JSON.parse(row.config) as unknown,
    restoredFrom: row.restored_from,
    createdAt: new Date(row.created_at).toISOString(),
    createdBy: row.created_by,
  };
}

function fileRecord(config: SavedConfig, source: string): ConfigRecord {
  return {
    id: config.id,
    slug: config.slug,
    name: config.slug,
    isDefault: false,
    status: 'active',
    versionId: null,
    version: null,
    config: separateConfigSecrets(JSON.parse(JSON.stringify(config.config)) as Record<string, unknown>)
      .masked,
    createdAt: null,
    updatedAt: null,
    managedBy: source,
  };
}

/**
 * Saved configs, versioned: every change of content is a new immutable version, the slug serves the
 * latest, and a rollback makes an old version's content the latest again (as a new version, so the
 * history keeps every step). Content is validated with `parseConfig` before it is written. Configs
 * from the settings file are listed but read-only. Every change is audited.
 */
export class ConfigRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  #fileConfig(reference: string): SavedConfig | undefined {
    return this.#context.settings?.configs.find(
      (config) => config.slug === reference || config.id === reference,
    );
  }

  #refuseFileManaged(reference: string): void {
    const source = this.#context.settings?.source;
    const fileConfig = this.#fileConfig(reference);
    if (source !== undefined && fileConfig) throw readOnlyError('saved config', fileConfig.slug, source);
  }

  /**
   * The config after `parseConfig` accepted it (normalised: snake_case, unknown keys dropped), its
   * credentials separated for the vault; else an `invalid` error listing every problem with its path.
   */
  #validated(input: unknown, options: ConfigWriteOptions = {}): ValidatedConfig {
    let value = input;
    if (typeof input === 'string') {
      try {
        value = JSON.parse(input) as unknown;
      } catch {
        throw new StoreError('invalid', 'config: expected a config object or its JSON text', {
          issues: [{ path: 'config', message: 'expected a config object or its JSON text' }],
        });
      }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new StoreError('invalid', 'config: expected a config object', {
        issues: [{ path: 'config', message: 'expected a config object' }],
      });
    }
    const parsed = parseConfig(value, this.#context.parseOptions);
    if (!parsed.ok) {
      const issues = parsed.issues.map((issue) => ({ path: issue.path, message: issue.message }));
      throw new StoreError('invalid', `invalid config: ${issues.map((issue) => issue.message).join('; ')}`, {
        issues,
      });
    }
    refuseConfigIssues(options.validate?.(parsed.config) ?? []);
    const { masked, secrets } = separateConfigSecrets(
      JSON.parse(JSON.stringify(parsed.config)) as Record<string, unknown>,
    );
    return { text: JSON.stringify(masked), secrets };
  }

  /** A new version row, its credentials encrypted and bound to the version's id. */
  #newVersion(
    configId: string,
    version: number,
    content: ValidatedConfig,
    actor: Actor,
    now: number,
    restoredFrom: string | null,
  ): VersionRow {
    const id = newId();
    const encrypted = encryptConfigSecrets(this.#context.vault, id, content.secrets);
    return {
      id,
      config_id: configId,
      version,
      config: content.text,
      ...encrypted,
      restored_from: restoredFrom,
      created_at: now,
      created_by: actor,
    };
  }

  async #findConfig(
    database: Transaction<Database> | StoreContext['db'],
    reference: string,
  ): Promise<ConfigRow | undefined> {
    return database
      .selectFrom('configs')
      .selectAll()
      .where((expression) =>
        expression.or([expression('id', '=', reference), expression('slug', '=', reference)]),
      )
      .executeTakeFirst();
  }

  async #version(
    database: Transaction<Database> | StoreContext['db'],
    configId: string,
    version: number,
  ): Promise<VersionRow> {
    return database
      .selectFrom('config_versions')
      .selectAll()
      .where('config_id', '=', configId)
      .where('version', '=', version)
      .executeTakeFirstOrThrow();
  }

  async #clearOtherDefaults(transaction: Transaction<Database>, configId: string): Promise<void> {
    await transaction.updateTable('configs').set({ is_default: 0 }).where('id', '!=', configId).execute();
  }

  /** Saves a new config as version 1. */
  async create(
    input: CreateConfigInput,
    actor: Actor,
    options: ConfigWriteOptions = {},
  ): Promise<ConfigRecord> {
    const parsed = parseInput(createConfigInputSchema, input, 'config');
    const slug = parsed.slug ?? newConfigSlug(parsed.name);
    const source = this.#context.settings?.source;
    if (source !== undefined && this.#fileConfig(slug)) {
      throw new StoreError(
        'conflict',
        `the settings file ${source} already defines a saved config "${slug}"`,
      );
    }
    const content = withKeptSecrets(this.#validated(parsed.config, options), {});
    const now = this.#context.now();
    const config: ConfigRow = {
      id: newId(),
      slug,
      name: parsed.name,
      is_default: parsed.isDefault ? 1 : 0,
      status: 'active',
      latest_version: 1,
      created_at: now,
      updated_at: now,
    };
    const version = this.#newVersion(config.id, 1, content, actor, now, null);
    const record = toRecord(config, version);
    await writeTransaction(
      this.#context,
      async (transaction) => {
        if (await this.#findConfig(transaction, slug))
          throw new StoreError('conflict', `a saved config "${slug}" already exists`);
        await transaction.insertInto('configs').values(config).execute();
        await transaction.insertInto('config_versions').values(version).execute();
        if (parsed.isDefault) await this.#clearOtherDefaults(transaction, config.id);
        await recordAudit(transaction, {
          at: now,
          actor,
          action: 'create',
          entity: 'config',
          entityId: config.id,
          after: record,
        });
      },
      options,
    );
    return record;
  }

  /** The config by id or slug, at its latest version; or a `not_found` {@link StoreError}. */
  async get(reference: string): Promise<ConfigRecord> {
    const fileConfig = this.#fileConfig(reference);
    const source = this.#context.settings?.source;
    if (fileConfig && source !== undefined) return fileRecord(fileConfig, source);
    return read(async () => {
      const config = await this.#findConfig(this.#context.db, reference);
      if (!config) throw notFoundError('saved config', reference);
      return toRecord(config, await this.#version(this.#context.db, config.id, config.latest_version));
    });
  }

  /** Every config at its latest version: file-managed first, then stored by creation time. */
  async list(): Promise<ConfigRecord[]> {
    const rows = await read(() =>
      this.#context.db
        .selectFrom('configs')
        .innerJoin('config_versions', (join) =>
          join
            .onRef('config_versions.config_id', '=', 'configs.id')
            .onRef('config_versions.version', '=', 'configs.latest_version'),
        )
        .select([
          'configs.id as id',
          'configs.slug as slug',
          'configs.name as name',
          'configs.is_default as is_default',
          'configs.status as status',
          'configs.latest_version as latest_version',
          'configs.created_at as created_at',
          'configs.updated_at as updated_at',
          'config_versions.id as version_id',
          'config_versions.version as version',
          'config_versions.config as config',
          'config_versions.secret as secret',
          'config_versions.secret_key_id as secret_key_id',
          'config_versions.restored_from as restored_from',
          'config_versions.created_at as version_created_at',
          'config_versions.created_by as created_by',
        ])
        .orderBy('configs.created_at')
        .orderBy('configs.id')
        .execute(),
    );
    const settings = this.#context.settings;
    return [
      ...(settings?.configs ?? []).map((config) => fileRecord(config, settings?.source ?? '')),
      ...rows
        .filter((row) => !this.#fileConfig(row.slug))
        .map((row) =>
          toRecord(row, {
            id: row.version_id,
            config_id: row.id,
            version: row.version,
            config: row.config,
            secret: row.secret,
            secret_key_id: row.secret_key_id,
            restored_from: row.restored_from,
            created_at: row.version_created_at,
            created_by: row.created_by,
          }),
        ),
    ];
  }

  /** Changes a config. New content becomes a new version, served by the slug from then on. */
  async update(
    reference: string,
    input: UpdateConfigInput,
    actor: Actor,
    options: ConfigWriteOptions = {},
  ): Promise<ConfigRecord> {
    this.#refuseFileManaged(reference);
    const parsed = parseInput(updateConfigInputSchema, input, 'config');
    const content = parsed.config === undefined ? undefined : this.#validated(parsed.config, options);
    const now = this.#context.now();
    return writeTransaction(
      this.#context,
      async (transaction) => {
        const config = await this.#findConfig(transaction, reference);
        if (!config) throw notFoundError('saved config', reference);
        const latest = await this.#version(transaction, config.id, config.latest_version);
        let version = latest;
        if (content !== undefined) {
          const kept = withKeptSecrets(content, decryptConfigSecrets(this.#context.vault, latest));
          version = this.#newVersion(config.id, config.latest_version + 1, kept, actor, now, null);
          await transaction.insertInto('config_versions').values(version).execute();
        }
        const next: ConfigRow = {
          ...config,
          ...(parsed.name === undefined ? {} : { name: parsed.name }),
          ...(parsed.isDefault === undefined ? {} : { is_default: parsed.isDefault ? 1 : 0 }),
          ...(parsed.status === undefined ? {} : { status: parsed.status }),
          latest_version: version.version,
          updated_at: now,
        };
        await transaction.updateTable('configs').set(next).where('id', '=', config.id).execute();
        if (parsed.isDefault) await this.#clearOtherDefaults(transaction, config.id);
        const record = toRecord(next, version);
        await recordAudit(transaction, {
          at: now,
          actor,
          action: 'update',
          entity: 'config',
          entityId: config.id,
          before: toRecord(config, latest),
          after: record,
        });
        return record;
      },
      options,
    );
  }

  /** Every version of a config, newest first. */
  async versions(reference: string): Promise<ConfigVersionRecord[]> {
    if (this.#fileConfig(reference)) return [];
    return read(async () => {
      const config = await this.#findConfig(this.#context.db, reference);
      if (!config) throw notFoundError('saved config', reference);
      const rows = await this.#context.db
        .selectFrom('config_versions')
        .selectAll()
        .where('config_id', '=', config.id)
        .orderBy('version', 'desc')
        .execute();
      return rows.map(toVersionRecord);
    });
  }

  /**
   * Makes the content of an earlier version (its id, or its number) the latest again, as a new
   * version recording which one it restored. `options.validate` checks the restored content again
   * (a guardrail it names may have been deleted since).
   */
  async rollback(
    reference: string,
    versionReference: string | number,
    actor: Actor,
    options: ConfigWriteOptions = {},
  ): Promise<ConfigRecord> {
    this.#refuseFileManaged(reference);
    const now = this.#context.now();
    return writeTransaction(
      this.#context,
      async (transaction) => {
        const config = await this.#findConfig(transaction, reference);
        if (!config) throw notFoundError('saved config', reference);
        let query = transaction.selectFrom('config_versions').selectAll().where('config_id', '=', config.id);
        query =
          typeof versionReference === 'number'
            ? query.where('version', '=', versionReference)
            : query.where('id', '=', versionReference);
        const target = await query.executeTakeFirst();
        if (!target)
          throw new StoreError(
            'not_found',
            `the saved config "${config.slug}" has no version "${versionReference}"`,
          );
        if (options.validate) {
          const parsed = parseConfig(JSON.parse(target.config) as unknown, this.#context.parseOptions);
          if (parsed.ok) refuseConfigIssues(options.validate(parsed.config));
        }
        const latest = await this.#version(transaction, config.id, config.latest_version);
        const restored = { text: target.config, secrets: decryptConfigSecrets(this.#context.vault, target) };
        const version = this.#newVersion(
          config.id,
          config.latest_version + 1,
          restored,
          actor,
          now,
          target.id,
        );
        await transaction.insertInto('config_versions').values(version).execute();
        const next: ConfigRow = { ...config, latest_version: version.version, updated_at: now };
        await transaction
          .updateTable('configs')
          .set({ latest_version: version.version, updated_at: now })
          .where('id', '=', config.id)
          .execute();
        const record = toRecord(next, version);
        await recordAudit(transaction, {
          at: now,
          actor,
          action: 'rollback',
          entity: 'config',
          entityId: config.id,
          before: toRecord(config, latest),
          after: record,
        });
        return record;
      },
      options,
    );
  }

  /** Deletes a config and its versions (the audit log keeps their content). */
  async delete(reference: string, actor: Actor): Promise<void> {
    this.#refuseFileManaged(reference);
    const now = this.#context.now();
    await writeTransaction(this.#context, async (transaction) => {
      const config = await this.#findConfig(transaction, reference);
      if (!config) throw notFoundError('saved config', reference);
      const latest = await this.#version(transaction, config.id, config.latest_version);
      await transaction.deleteFrom('config_versions').where('config_id', '=', config.id).execute();
      await transaction.deleteFrom('configs').where('id', '=', config.id).execute();
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'delete',
        entity: 'config',
        entityId: config.id,
        before: toRecord(config, latest),
      });
    });
  }
}
