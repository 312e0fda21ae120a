import type { Config, ConfigWarning } from '@pk/config';
import type { RateLimit, UsageLimits } from '../limits.js';
import type { Secret } from '../secret.js';

/** Who a gateway key is, as the request path sees it (no secret: only its hash). */
export interface GatewayKey {
  readonly id: string;
  readonly name: string;
  /** Cache entries, logs and limits never cross tenants. Defaults to the key's id. */
  readonly tenant: string;
  readonly role: 'user' | 'admin';
  /** SHA-256 of the secret, hex (see `hashGatewayKeySecret`). */
  readonly keyHash: string;
  /** Allowed virtual key slugs; `undefined` means all. */
  readonly virtualKeys?: ReadonlySet<string>;
  /** Allowed saved config slugs; `undefined` means all. */
  readonly configs?: ReadonlySet<string>;
  readonly scopes: readonly string[];
  /** Milliseconds since the epoch after which the key no longer works. */
  readonly expiresAt?: number;
  readonly rateLimits?: readonly RateLimit[];
  readonly usageLimits?: UsageLimits;
  /** The settings file a file-managed key comes from (read-only through the store). */
  readonly managedBy?: string;
}

/** A stored provider credential with its secrets decrypted: only for calls to its own provider. */
export interface VirtualKey {
  /** The record id (the slug for file-managed keys). */
  readonly id: string;
  /** What requests name: `x-portkey-virtual-key`, `@slug`, `virtual_key` in a config. */
  readonly slug: string;
  readonly provider: string;
  readonly apiKey?: Secret;
  /** Provider options; values whose name marks them as credentials are {@link Secret}s. */
  readonly options: Readonly<Record<string, string | number | boolean | Secret>>;
  /** Hosts (besides the provider's own) this credential may be sent to through a custom host. */
  readonly allowedHosts: readonly string[];
  /** Model ids listed by `GET /v1/models`. */
  readonly models: readonly string[];
  readonly usageLimits?: UsageLimits;
  readonly rateLimits?: readonly RateLimit[];
  /** Milliseconds since the epoch after which the key is left out of the snapshot. */
  readonly expiresAt?: number;
  readonly managedBy?: string;
}

/** A saved config, validated with `parseConfig`: the latest version of its slug. */
export interface SavedConfig {
  /** The record id (the slug for file-managed configs). */
  readonly id: string;
  /** What requests name: `x-portkey-config: <slug>`. */
  readonly slug: string;
  /** The version served (Portkey's `version_id`); absent for file-managed configs. */
  readonly versionId?: string;
  readonly version?: number;
  readonly config: Config;
  /** Unknown keys and replaced values found when it was validated. */
  readonly warnings: readonly ConfigWarning[];
  readonly managedBy?: string;
}

/**
 * A guardrail defined in the store, as configs refer to it (`input_guardrails: ["<slug>"]`): a hook in
 * Portkey's raw form. The store checks its shape only; the gateway compiles it (`@pk/guardrails`).
 */
export interface StoredGuardrail {
  readonly id: string;
  readonly slug: string;
  /** Changes with every change of the guardrail. */
  readonly versionId: string;
  /** The hook without its id: `type`, `checks`, `deny`, `async`, `sequential`, `on_fail`, `on_success`. */
  readonly definition: Readonly<Record<string, unknown>>;
}

/** A guardrail of the settings file (`guardrails:`), as written there. */
export interface SettingsGuardrail {
  readonly id: string;
  readonly definition: Readonly<Record<string, unknown>>;
}

/**
 * Everything the request path needs, immutable: a new snapshot replaces the old one whole, so a
 * request that read `catalog.snapshot` once sees one consistent state.
 */
export interface CatalogSnapshot {
  /** The store's change counter this snapshot reflects (0 for settings only). */
  readonly version: number;
  /** Active (not revoked) gateway keys by the SHA-256 of their secret. */
  readonly gatewayKeysByHash: ReadonlyMap<string, GatewayKey>;
  /**
   * Hashes of revoked and expired keys: refused even by a gateway that has no active key left
   * (which otherwise serves loopback callers without one), and never forwarded to a provider.
   */
  readonly retiredKeyHashes: ReadonlySet<string>;
  /** Virtual keys by slug. */
  readonly virtualKeys: ReadonlyMap<string, VirtualKey>;
  /**
   * Slugs of stored virtual keys whose expiry has passed (left out of `virtualKeys`): a request
   * naming one is told the key expired (Portkey's 401), not that it does not exist.
   */
  readonly expiredVirtualKeys: ReadonlySet<string>;
  /**
   * Slugs of stored virtual keys an operator disabled (left out of `virtualKeys`): a request naming
   * one is told the key is disabled, not that it does not exist; enabling it serves it again.
   */
  readonly disabledVirtualKeys: ReadonlySet<string>;
  /**
   * Slugs of stored virtual keys this gateway cannot decrypt (left out of `virtualKeys`): most often
   * encrypted under a master key its `PK_MASTER_KEY` lacks, after `pk vault rotate`. A request naming
   * one is told the gateway cannot read it (a 503 for the operator to fix), not that it does not exist.
   */
  readonly unreadableVirtualKeys: ReadonlySet<string>;
  /** Saved configs by slug (the latest version). */
  readonly configs: ReadonlyMap<string, SavedConfig>;
  /** Every tenant of an active key, plus `anonymous`. */
  readonly tenants: ReadonlySet<string>;
  /**
   * Guardrails defined in the store, by slug. The settings file's guardrails are not here: the
   * gateway compiles those at start and they win a collision (which the store refuses anyway).
   */
  readonly guardrails: ReadonlyMap<string, StoredGuardrail>;
}

/** The live view of keys, virtual keys and configs: `snapshot` is swapped atomically on change. */
export interface Catalog {
  /** The current snapshot. Read it once per request. */
  readonly snapshot: CatalogSnapshot;
  /** Calls `listener` after each new snapshot; returns the unsubscribe function. */
  onChange(listener: (snapshot: CatalogSnapshot) => void): () => void;
}

/** The settings file's records: served as they are, read-only through the store. */
export interface SettingsRecords {
  /** The settings file path, named when a change to one of its records is refused. */
  readonly source: string;
  readonly gatewayKeys: readonly GatewayKey[];
  readonly virtualKeys: readonly VirtualKey[];
  readonly configs: readonly SavedConfig[];
  /** Its guardrails: listed read-only by the store, their ids refused for stored guardrails. */
  readonly guardrails?: readonly SettingsGuardrail[];
}

/** The tenant of requests without a gateway key. */
export const ANONYMOUS_TENANT = 'anonymous';

/** Builds a snapshot from records; the first of two records with one slug or hash wins. */
export function buildSnapshot(
  version: number,
  records: {
    readonly gatewayKeys: Iterable<GatewayKey>;
    readonly virtualKeys: Iterable<VirtualKey>;
    readonly configs: Iterable<SavedConfig>;
    readonly retiredKeyHashes?: Iterable<string>;
    readonly expiredVirtualKeys?: Iterable<string>;
    readonly disabledVirtualKeys?: Iterable<string>;
    readonly unreadableVirtualKeys?: Iterable<string>;
    readonly guardrails?: Iterable<StoredGuardrail>;
  },
): CatalogSnapshot {
  const gatewayKeysByHash = new Map<string, GatewayKey>();
  const tenants = new Set<string>([ANONYMOUS_TENANT]);
  for (const key of records.gatewayKeys) {
    if (gatewayKeysByHash.has(key.keyHash)) continue;
    gatewayKeysByHash.set(key.keyHash, key);
    tenants.add(key.tenant);
  }
  const virtualKeys = new Map<string, VirtualKey>();
  for (const key of records.virtualKeys) if (!virtualKeys.has(key.slug)) virtualKeys.set(key.slug, key);
  const configs = new Map<string, SavedConfig>();
  for (const config of records.configs) if (!configs.has(config.slug)) configs.set(config.slug, config);
  const retiredKeyHashes = new Set<string>();
  for (const hash of records.retiredKeyHashes ?? [])
    if (!gatewayKeysByHash.has(hash)) retiredKeyHashes.add(hash);
  const expiredVirtualKeys = new Set<string>();
  for (const slug of records.expiredVirtualKeys ?? [])
    if (!virtualKeys.has(slug)) expiredVirtualKeys.add(slug);
  const disabledVirtualKeys = new Set<string>();
  for (const slug of records.disabledVirtualKeys ?? [])
    if (!virtualKeys.has(slug)) disabledVirtualKeys.add(slug);
  const unreadableVirtualKeys = new Set<string>();
  for (const slug of records.unreadableVirtualKeys ?? [])
    if (!virtualKeys.has(slug)) unreadableVirtualKeys.add(slug);
  const guardrails = new Map<string, StoredGuardrail>();
  for (const guardrail of records.guardrails ?? [])
    if (!guardrails.has(guardrail.slug)) guardrails.set(guardrail.slug, guardrail);
  return {
    version,
    gatewayKeysByHash,
    retiredKeyHashes,
    virtualKeys,
    expiredVirtualKeys,
    disabledVirtualKeys,
    unreadableVirtualKeys,
    configs,
    tenants,
    guardrails,
  };
}

/** A catalog that never changes: the settings file alone (tests, and the gateway without a store). */
export function createStaticCatalog(records: {
  readonly gatewayKeys: Iterable<GatewayKey>;
  readonly virtualKeys: Iterable<VirtualKey>;
  readonly configs: Iterable<SavedConfig>;
}): Catalog {
  const snapshot = buildSnapshot(0, records);
  return { snapshot, onChange: () => () => undefined };
}
