import { type ParseConfigOptions, parseConfig } from '@pk/config';
import { type Kysely, sql } from 'kysely';
import type { Database, Engine } from '../database/schema.js';
import { configOfVersion } from '../repositories/configs.js';
import { gatewayKeyOfRow } from '../repositories/gateway-keys.js';
import { definitionOfRow } from '../repositories/guardrails.js';
import { virtualKeyOfRow } from '../repositories/virtual-keys.js';
import type { Vault } from '../vault/vault.js';
import {
  buildSnapshot,
  type CatalogSnapshot,
  type GatewayKey,
  type SavedConfig,
  type SettingsRecords,
  type StoredGuardrail,
  type VirtualKey,
} from './catalog.js';

/** What building a snapshot needs. */
export interface SnapshotSource {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly vault: Vault;
  readonly settings: SettingsRecords | undefined;
  readonly parseOptions: ParseConfigOptions;
  readonly now: () => number;
}

/** A new snapshot, what could not be served, and when the next key expires. */
export interface LoadedSnapshot {
  readonly snapshot: CatalogSnapshot;
  /** Records left out, each with why (never a secret): a virtual key that does not decrypt … */
  readonly problems: readonly string[];
  /** The earliest expiry still ahead (ms), when the snapshot must be rebuilt without that key. */
  readonly nextExpiry: number | undefined;
}

async function readRows(db: Kysely<Database>) {
  const state = await db
    .selectFrom('pk_state')
    .select('version')
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  const gatewayKeys = await db.selectFrom('gateway_keys').selectAll().execute();
  const virtualKeys = await db.selectFrom('virtual_keys').selectAll().execute();
  const configs = await db
    .selectFrom('configs')
    .innerJoin('config_versions', (join) =>
      join
        .onRef('config_versions.config_id', '=', 'configs.id')
        .onRef('config_versions.version', '=', 'configs.latest_version'),
    )
    .select([
      'configs.id as config_id',
      'configs.slug as slug',
      'config_versions.id as id',
      'config_versions.version as version',
      'config_versions.config as config',
      'config_versions.secret as secret',
    ])
    .execute();
  const guardrails = await db
    .selectFrom('guardrails')
    .select(['id', 'slug', 'version_id', 'definition', 'secret'])
    .execute();
  return { version: state.version, gatewayKeys, virtualKeys, configs, guardrails };
}

/**
 * Reads every table the request path needs in one consistent view: PostgreSQL in a repeatable-read
 * transaction; SQLite in one deferred read transaction (WAL: it does not block writers).
 */
async function readConsistently(db: Kysely<Database>, engine: Engine): ReturnType<typeof readRows> {
  if (engine === 'postgres') {
    return db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute((transaction) => readRows(transaction));
  }
  return db.connection().execute(async (connection) => {
    await sql`begin`.execute(connection);
    try {
      const rows = await readRows(connection);
      await sql`commit`.execute(connection);
      return rows;
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
}

/**
 * Builds the request path's snapshot: the settings file's records first (they win a collision),
 * then the stored ones; revoked and expired keys left out; virtual key credentials decrypted;
 * configs validated with `parseConfig` (`parsedConfigs` caches them by version id: versions never
 * change). A record that cannot be served is left out and reported in `problems`.
 */
export async function loadSnapshot(
  source: SnapshotSource,
  parsedConfigs: Map<string, SavedConfig>,
): Promise<LoadedSnapshot> {
  const rows = await readConsistently(source.db, source.engine);
  const now = source.now();
  const problems: string[] = [];
  let nextExpiry: number | undefined;
  const live = (expiresAt: number | null | undefined): boolean => {
    if (expiresAt === null || expiresAt === undefined) return true;
    if (expiresAt <= now) return false;
    nextExpiry = nextExpiry === undefined ? expiresAt : Math.min(nextExpiry, expiresAt);
    return true;
  };
  const settings = source.settings;
  const managedBy = settings ? { managedBy: settings.source } : {};

  const gatewayKeys: GatewayKey[] = (settings?.gatewayKeys ?? []).map((key) => ({ ...key, ...managedBy }));
  const fileKeyIds = new Set(gatewayKeys.map((key) => key.id));
  const retiredKeyHashes: string[] = [];
  for (const row of rows.gatewayKeys) {
    if (fileKeyIds.has(row.id)) continue;
    if (row.revoked_at !== null || !live(row.expires_at)) retiredKeyHashes.push(row.key_hash);
    else gatewayKeys.push(gatewayKeyOfRow(row));
  }

  const virtualKeys: VirtualKey[] = (settings?.virtualKeys ?? []).map((key) => ({ ...key, ...managedBy }));
  const fileSlugs = new Set(virtualKeys.map((key) => key.slug));
  const expiredVirtualKeys: string[] = [];
  const disabledVirtualKeys: string[] = [];
  const unreadableVirtualKeys: string[] = [];
  for (const row of rows.virtualKeys) {
    if (fileSlugs.has(row.slug)) continue;
    if (row.disabled_at !== null) {
      disabledVirtualKeys.push(row.slug);
      continue;
    }
    if (!live(row.expires_at)) {
      expiredVirtualKeys.push(row.slug);
      continue;
    }
    try {
      virtualKeys.push(virtualKeyOfRow(source.vault, row));
    } catch (error) {
      unreadableVirtualKeys.push(row.slug);
      problems.push(`virtual key "${row.slug}" is left out: ${(error as Error).message}`);
    }
  }

  const configs: SavedConfig[] = (settings?.configs ?? []).map((config) => ({ ...config, ...managedBy }));
  const fileConfigSlugs = new Set(configs.map((config) => config.slug));
  const nextCache = new Map<string, SavedConfig>();
  for (const row of rows.configs) {
    if (fileConfigSlugs.has(row.slug)) continue;
    let saved = parsedConfigs.get(row.id);
    if (saved === undefined) {
      try {
        const parsed = parseConfig(configOfVersion(source.vault, row), source.parseOptions);
        if (!parsed.ok) {
          problems.push(
            `saved config "${row.slug}" is left out: ${parsed.issues.map((issue) => issue.message).join('; ')}`,
          );
          continue;
        }
        saved = {
          id: row.config_id,
          slug: row.slug,
          versionId: row.id,
          version: row.version,
          config: parsed.config,
          warnings: parsed.warnings,
        };
      } catch (error) {
        problems.push(`saved config "${row.slug}" is left out: ${(error as Error).message}`);
        continue;
      }
    }
    nextCache.set(row.id, saved);
    configs.push(saved);
  }
  parsedConfigs.clear();
  for (const [id, saved] of nextCache) parsedConfigs.set(id, saved);

  const fileGuardrailIds = new Set((settings?.guardrails ?? []).map((guardrail) => guardrail.id));
  const guardrails: StoredGuardrail[] = [];
  for (const row of rows.guardrails) {
    if (fileGuardrailIds.has(row.slug)) continue;
    try {
      const definition = definitionOfRow(source.vault, row) as unknown;
      if (typeof definition !== 'object' || definition === null || Array.isArray(definition))
        throw new Error('its definition is not a JSON object');
      guardrails.push({
        id: row.id,
        slug: row.slug,
        versionId: row.version_id,
        definition: definition as Record<string, unknown>,
      });
    } catch (error) {
      problems.push(`guardrail "${row.slug}" is left out: ${(error as Error).message}`);
    }
  }

  return {
    snapshot: buildSnapshot(rows.version, {
      gatewayKeys,
      virtualKeys,
      configs,
      retiredKeyHashes,
      expiredVirtualKeys,
      disabledVirtualKeys,
      unreadableVirtualKeys,
      guardrails,
    }),
    problems,
    nextExpiry,
  };
}
