import type { Selectable, Transaction } from 'kysely';
import type { Database, IntegrationsTable, VirtualKeysTable } from '../database/schema.js';
import { StoreError } from '../errors.js';
import { newId, newIntegrationSlug, newVirtualKeySlug } from '../ids.js';
import type { Vault } from '../vault/vault.js';
import {
  type CreateIntegrationInput,
  type CreateProviderInput,
  createIntegrationInputSchema,
  createProviderInputSchema,
  parseInput,
  type UpdateIntegrationInput,
  updateIntegrationInputSchema,
} from './inputs.js';
import {
  type Actor,
  isoOrNull,
  jsonOrNull,
  notFoundError,
  parseJson,
  read,
  recordAudit,
  type StoreContext,
  writeTransaction,
} from './store-context.js';
import {
  credentialColumns,
  decryptSecretPayload,
  encryptSecretPayload,
  hintsOf,
  mergeCredentials,
  type PlainOptions,
  type VirtualKeyRecord,
  type VirtualKeyRepository,
  virtualKeyAssociatedData,
  virtualKeyRecordOfRow,
} from './virtual-keys.js';

/** An integration as reads return it: credentials only as masked hints. */
export interface IntegrationRecord {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly description: string | null;
  readonly provider: string;
  /** The options that are not credentials. */
  readonly options: Readonly<PlainOptions>;
  /** Credential name (`api_key` …) → its masked form. */
  readonly secretHints: Readonly<Record<string, string>>;
  /** Slugs of the providers (virtual keys) made from it. */
  readonly providers: readonly string[];
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
}

type Row = Selectable<IntegrationsTable>;
type VirtualKeyRow = Selectable<VirtualKeysTable>;

/** The associated data that binds an integration's ciphertext to its record. */
export function integrationAssociatedData(id: string): string {
  return `integrations:${id}`;
}

function toRecord(row: Row, providers: readonly string[]): IntegrationRecord {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    provider: row.provider,
    options: parseJson<PlainOptions>(row.options) ?? {},
    secretHints: parseJson<Record<string, string>>(row.secret_hints) ?? {},
    providers,
    createdAt: isoOrNull(row.created_at),
    updatedAt: isoOrNull(row.updated_at),
  };
}

/** The provider, options and credentials a provider copies from its integration, encrypted for it. */
function copiedFields(
  vault: Vault,
  integration: Row,
  providerId: string,
): Pick<VirtualKeyRow, 'provider' | 'options' | 'secret' | 'secret_key_id' | 'secret_hints'> {
  const payload = decryptSecretPayload(vault, integration.secret, integrationAssociatedData(integration.id));
  return {
    provider: integration.provider,
    options: integration.options,
    ...encryptSecretPayload(vault, payload, virtualKeyAssociatedData(providerId)),
    secret_hints: integration.secret_hints,
  };
}

/**
 * Integrations (Portkey's model catalog): a provider's credentials and options, defined once, and
 * the providers made from them. A provider is a virtual key that names its integration: it holds a
 * copy of the integration's provider, options and credentials (encrypted for the provider's record,
 * so the request path reads virtual keys only), and its own name, limits and expiry. Changing an
 * integration rewrites its providers' copies in the same transaction; an integration is deleted only
 * once no provider is made from it. Every change is audited with credentials masked.
 */
export class IntegrationRepository {
  readonly #context: StoreContext;
  readonly #virtualKeys: VirtualKeyRepository;

  constructor(context: StoreContext, virtualKeys: VirtualKeyRepository) {
    this.#context = context;
    this.#virtualKeys = virtualKeys;
  }

  async #findRow(
    transaction: Transaction<Database> | StoreContext['db'],
    reference: string,
  ): Promise<Row | undefined> {
    return transaction
      .selectFrom('integrations')
      .selectAll()
      .where((expression) =>
        expression.or([expression('id', '=', reference), expression('slug', '=', reference)]),
      )
      .executeTakeFirst();
  }

  async #providerRows(
    transaction: Transaction<Database> | StoreContext['db'],
    integrationId: string,
  ): Promise<VirtualKeyRow[]> {
    return transaction
      .selectFrom('virtual_keys')
      .selectAll()
      .where('integration_id', '=', integrationId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  /** Refuses a provider slug another virtual key (stored, or the settings file's) already has. */
  async #refuseTakenSlug(transaction: Transaction<Database>, slug: string): Promise<void> {
    const source = this.#context.settings?.source;
    if (source !== undefined && this.#context.settings?.virtualKeys.some((key) => key.slug === slug)) {
      throw new StoreError('conflict', `the settings file ${source} already defines a virtual key "${slug}"`);
    }
    const existing = await transaction
      .selectFrom('virtual_keys')
      .select('id')
      .where((expression) => expression.or([expression('id', '=', slug), expression('slug', '=', slug)]))
      .executeTakeFirst();
    if (existing) throw new StoreError('conflict', `a virtual key or provider "${slug}" already exists`);
  }

  /** Inserts a provider made from `integration` (in the caller's transaction) and audits it. */
  async #insertProvider(
    transaction: Transaction<Database>,
    integration: Row,
    fields: Omit<
      VirtualKeyRow,
      | 'id'
      | 'provider'
      | 'options'
      | 'secret'
      | 'secret_key_id'
      | 'secret_hints'
      | 'integration_id'
      | 'created_at'
      | 'updated_at'
      | 'disabled_at'
    >,
    actor: Actor,
    now: number,
  ): Promise<VirtualKeyRow> {
    await this.#refuseTakenSlug(transaction, fields.slug);
    const id = newId();
    const row: VirtualKeyRow = {
      id,
      ...fields,
      ...copiedFields(this.#context.vault, integration, id),
      integration_id: integration.id,
      created_at: now,
      updated_at: now,
      disabled_at: null,
    };
    await transaction.insertInto('virtual_keys').values(row).execute();
    await recordAudit(transaction, {
      at: now,
      actor,
      action: 'create',
      entity: 'virtual_key',
      entityId: id,
      after: virtualKeyRecordOfRow(row),
    });
    return row;
  }

  /**
   * Creates an integration, its credentials encrypted before they reach the database, and (unless
   * `defaultProvider` is null) a provider made from it, named like it, in the same transaction.
   */
  async create(input: CreateIntegrationInput, actor: Actor): Promise<IntegrationRecord> {
    const parsed = parseInput(createIntegrationInputSchema, input, 'integration');
    const slug = parsed.slug ?? newIntegrationSlug(parsed.name);
    const id = newId();
    const now = this.#context.now();
    const row: Row = {
      id,
      slug,
      name: parsed.name,
      description: parsed.description ?? null,
      provider: parsed.provider,
      ...credentialColumns(this.#context.vault, parsed, integrationAssociatedData(id)),
      created_at: now,
      updated_at: now,
    };
    const providers: string[] = [];
    await writeTransaction(this.#context, async (transaction) => {
      if (await this.#findRow(transaction, slug)) {
        throw new StoreError('conflict', `an integration "${slug}" already exists`);
      }
      await transaction.insertInto('integrations').values(row).execute();
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'create',
        entity: 'integration',
        entityId: id,
        after: toRecord(row, []),
      });
      if (parsed.defaultProvider !== null) {
        const provider = await this.#insertProvider(
          transaction,
          row,
          {
            slug: parsed.defaultProvider?.slug ?? slug,
            name: parsed.name,
            note: null,
            models: '[]',
            allowed_hosts: '[]',
            usage_limits: null,
            rate_limits: null,
            expires_at: null,
          },
          actor,
          now,
        );
        providers.push(provider.slug);
      }
    });
    return toRecord(row, providers);
  }

  /** One integration by id or slug, or a `not_found` {@link StoreError}. */
  async get(reference: string): Promise<IntegrationRecord> {
    return read(async () => {
      const row = await this.#findRow(this.#context.db, reference);
      if (!row) throw notFoundError('integration', reference);
      const providers = await this.#providerRows(this.#context.db, row.id);
      return toRecord(
        row,
        providers.map((provider) => provider.slug),
      );
    });
  }

  /** Every integration, by creation time. */
  async list(): Promise<IntegrationRecord[]> {
    return read(async () => {
      const rows = await this.#context.db
        .selectFrom('integrations')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      const providers = await this.#context.db
        .selectFrom('virtual_keys')
        .select(['slug', 'integration_id'])
        .where('integration_id', 'is not', null)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map((row) =>
        toRecord(
          row,
          providers.filter((provider) => provider.integration_id === row.id).map((provider) => provider.slug),
        ),
      );
    });
  }

  /**
   * Changes an integration; credentials given are re-encrypted, those not given are kept. Its
   * providers get the new options and credentials in the same transaction, so the next request
   * through any of them uses them.
   */
  async update(reference: string, input: UpdateIntegrationInput, actor: Actor): Promise<IntegrationRecord> {
    const parsed = parseInput(updateIntegrationInputSchema, input, 'integration');
    const now = this.#context.now();
    const vault = this.#context.vault;
    return writeTransaction(this.#context, async (transaction) => {
      const row = await this.#findRow(transaction, reference);
      if (!row) throw notFoundError('integration', reference);
      const payload = decryptSecretPayload(vault, row.secret, integrationAssociatedData(row.id));
      const plain = parseJson<PlainOptions>(row.options) ?? {};
      mergeCredentials(plain, payload, parsed);
      const next: Row = {
        ...row,
        ...(parsed.name === undefined ? {} : { name: parsed.name }),
        ...(parsed.description === undefined ? {} : { description: parsed.description }),
        options: JSON.stringify(plain),
        ...encryptSecretPayload(vault, payload, integrationAssociatedData(row.id)),
        secret_hints: JSON.stringify(hintsOf(payload)),
        updated_at: now,
      };
      await transaction.updateTable('integrations').set(next).where('id', '=', row.id).execute();
      const providers = await this.#providerRows(transaction, row.id);
      const credentialsChanged = parsed.apiKey !== undefined || parsed.options !== undefined;
      if (credentialsChanged) {
        for (const provider of providers) {
          await transaction
            .updateTable('virtual_keys')
            .set({ ...copiedFields(vault, next, provider.id), updated_at: now })
            .where('id', '=', provider.id)
            .execute();
        }
      }
      const providerSlugs = providers.map((provider) => provider.slug);
      const record = toRecord(next, providerSlugs);
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'update',
        entity: 'integration',
        entityId: row.id,
        before: toRecord(row, providerSlugs),
        after: record,
      });
      return record;
    });
  }

  /** Deletes an integration no provider is made from (else a `conflict` naming them). */
  async delete(reference: string, actor: Actor): Promise<void> {
    const now = this.#context.now();
    await writeTransaction(this.#context, async (transaction) => {
      const row = await this.#findRow(transaction, reference);
      if (!row) throw notFoundError('integration', reference);
      const providers = await this.#providerRows(transaction, row.id);
      if (providers.length > 0) {
        const slugs = providers.map((provider) => `"${provider.slug}"`).join(', ');
        throw new StoreError(
          'conflict',
          `the integration "${row.slug}" has the provider${providers.length > 1 ? 's' : ''} ${slugs}: delete ${providers.length > 1 ? 'them' : 'it'} first`,
        );
      }
      await transaction.deleteFrom('integrations').where('id', '=', row.id).execute();
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'delete',
        entity: 'integration',
        entityId: row.id,
        before: toRecord(row, []),
      });
    });
  }

  /**
   * Makes a provider from an integration: a virtual key with the integration's provider, options and
   * credentials, and its own slug (default: the name + 6 hex), name, note, limits and expiry.
   */
  async createProvider(input: CreateProviderInput, actor: Actor): Promise<VirtualKeyRecord> {
    const parsed = parseInput(createProviderInputSchema, input, 'provider');
    const now = this.#context.now();
    const slug = parsed.slug ?? newVirtualKeySlug(parsed.name);
    const id = await writeTransaction(this.#context, async (transaction) => {
      const integration = await this.#findRow(transaction, parsed.integration);
      if (!integration) throw notFoundError('integration', parsed.integration);
      const row = await this.#insertProvider(
        transaction,
        integration,
        {
          slug,
          name: parsed.name,
          note: parsed.note ?? null,
          models: JSON.stringify(parsed.models ?? []),
          allowed_hosts: JSON.stringify(parsed.allowedHosts ?? []),
          usage_limits: jsonOrNull(parsed.usageLimits),
          rate_limits: jsonOrNull(parsed.rateLimits),
          expires_at: parsed.expiresAt ?? null,
        },
        actor,
        now,
      );
      return row.id;
    });
    return this.#virtualKeys.get(id);
  }
}
