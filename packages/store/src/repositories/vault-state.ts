import type { Kysely } from 'kysely';
import type { Database } from '../database/schema.js';
import { StoreStartError } from '../errors.js';
import { type Vault, VaultError } from '../vault/vault.js';
import { configVersionAssociatedData } from './configs.js';
import { separateGuardrailSecrets } from './guardrail-secrets.js';
import { guardrailAssociatedData } from './guardrails.js';
import { integrationAssociatedData } from './integrations.js';
import { type Actor, recordAudit, type StoreContext, writeTransaction } from './store-context.js';
import { virtualKeyAssociatedData } from './virtual-keys.js';

/** The tables that hold encrypted secrets, each with the associated data that binds a row's. */
const SECRET_TABLES = [
  { table: 'virtual_keys', associatedData: virtualKeyAssociatedData },
  { table: 'config_versions', associatedData: configVersionAssociatedData },
  { table: 'integrations', associatedData: integrationAssociatedData },
  { table: 'guardrails', associatedData: guardrailAssociatedData },
] as const;

const CHECK_ASSOCIATED_DATA = 'pk_state:vault_check';
const CHECK_PLAINTEXT = 'pk vault check 1';

/** True when the database holds anything encrypted (so a missing master key must not be replaced). */
export async function databaseHasSecrets(db: Kysely<Database>): Promise<boolean> {
  const state = await db.selectFrom('pk_state').select('vault_check').where('id', '=', 1).executeTakeFirst();
  if (state?.vault_check) return true;
  for (const { table } of SECRET_TABLES) {
    const row = await db
      .selectFrom(table)
      .select('id')
      .where('secret', 'is not', null)
      .limit(1)
      .executeTakeFirst();
    if (row) return true;
  }
  return false;
}

/**
 * Proves at start that the key ring fits the database, so a gateway never serves with a wrong master
 * key: the check value (written under the newest key on first start) must decrypt, and every
 * ciphertext must name a key of the ring. Throws {@link StoreStartError} naming the missing key's id.
 */
export async function checkVault(db: Kysely<Database>, vault: Vault, source: string): Promise<void> {
  const state = await db
    .selectFrom('pk_state')
    .select('vault_check')
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  if (state.vault_check === null) {
    await db
      .updateTable('pk_state')
      .set({ vault_check: vault.encrypt(CHECK_PLAINTEXT, CHECK_ASSOCIATED_DATA) })
      .where('id', '=', 1)
      .where('vault_check', 'is', null)
      .execute();
  } else {
    try {
      vault.decrypt(state.vault_check, CHECK_ASSOCIATED_DATA);
    } catch (error) {
      throw wrongKeyError(error instanceof VaultError ? error.keyId : undefined, source);
    }
  }
  for (const { table } of SECRET_TABLES) {
    const keyIds = await db.selectFrom(table).select('secret_key_id').distinct().execute();
    for (const { secret_key_id: keyId } of keyIds) {
      if (keyId !== null && !vault.hasKey(keyId)) throw wrongKeyError(keyId, source);
    }
  }
}

function wrongKeyError(keyId: string | undefined, source: string): StoreStartError {
  return new StoreStartError(
    `the master key does not fit this database: its secrets are encrypted with master key ${keyId ?? '(unknown)'}, ` +
      `which the key ring from ${source} does not hold. Give PK_MASTER_KEY the key ring that includes it ` +
      '(newest first, comma-separated); refusing to start rather than serve keys that cannot be decrypted.',
  );
}

/** Re-encryption under the newest master key (`pk vault rotate`). */
export class VaultRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  /** The id of the key that encrypts, and every id of the ring (never the keys). */
  get keyIds(): { readonly newest: string; readonly all: readonly string[] } {
    return { newest: this.#context.vault.newestKeyId, all: this.#context.vault.keyIds };
  }

  /**
   * Re-encrypts every stored secret (virtual keys, config versions, integrations, guardrails, the check value) under the newest
   * key, in one transaction, and encrypts the guardrail secrets a store written before migration 0019 holds in clear. Afterwards the older keys can be removed from `PK_MASTER_KEY`.
   * Returns how many values were re-encrypted. `options.onProgress` hears how many of the values to
   * re-encrypt are done (after each one; `total` counts only those not yet under the newest key).
   */
  async rotate(
    actor: Actor,
    options: { readonly onProgress?: (done: number, total: number) => void } = {},
  ): Promise<{ readonly keyId: string; readonly reencrypted: number }> {
    const vault = this.#context.vault;
    const now = this.#context.now();
    const reencrypted = await writeTransaction(this.#context, async (transaction) => {
      let count = 0;
      const stale = [];
      for (const { table, associatedData } of SECRET_TABLES) {
        const rows = await transaction
          .selectFrom(table)
          .select(['id', 'secret', 'secret_key_id'])
          .where('secret', 'is not', null)
          .execute();
        for (const row of rows) {
          if (row.secret !== null && row.secret_key_id !== vault.newestKeyId) {
            stale.push({ table, id: row.id, secret: row.secret, data: associatedData(row.id) });
          }
        }
      }
      // Guardrails written before their secrets were encrypted (migration 0019: an upgraded store)
      // hold them in their definition's clear text until changed; a rotation encrypts them too, so
      // that afterwards no secret is left in clear.
      const clear = [];
      const unsealed = await transaction
        .selectFrom('guardrails')
        .select(['id', 'definition'])
        .where('secret', 'is', null)
        .execute();
      for (const row of unsealed) {
        const { masked, secrets } = separateGuardrailSecrets(JSON.parse(row.definition));
        if (Object.keys(secrets).length > 0) clear.push({ id: row.id, masked, secrets });
      }
      const total = stale.length + clear.length;
      options.onProgress?.(0, total);
      for (const row of clear) {
        const data = guardrailAssociatedData(row.id);
        await transaction
          .updateTable('guardrails')
          .set({
            definition: JSON.stringify(row.masked),
            secret: vault.encrypt(JSON.stringify(row.secrets), data),
            secret_key_id: vault.newestKeyId,
          })
          .where('id', '=', row.id)
          .where('secret', 'is', null)
          .execute();
        count += 1;
        options.onProgress?.(count, total);
      }
      for (const row of stale) {
        await transaction
          .updateTable(row.table)
          .set({
            secret: vault.encrypt(vault.decrypt(row.secret, row.data), row.data),
            secret_key_id: vault.newestKeyId,
          })
          .where('id', '=', row.id)
          .execute();
        count += 1;
        options.onProgress?.(count, total);
      }
      await transaction
        .updateTable('pk_state')
        .set({ vault_check: vault.encrypt(CHECK_PLAINTEXT, CHECK_ASSOCIATED_DATA) })
        .where('id', '=', 1)
        .execute();
      await recordAudit(transaction, {
        at: now,
        actor,
        action: 'rotate',
        entity: 'vault',
        entityId: vault.newestKeyId,
        after: { keyId: vault.newestKeyId, reencrypted: count },
      });
      return count;
    });
    return { keyId: vault.newestKeyId, reencrypted };
  }
}
