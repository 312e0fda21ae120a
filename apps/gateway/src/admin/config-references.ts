import {
  type Config,
  type ConfigIssue,
  describeValue,
  formatConfigPath,
  parseModelReference,
  parseProviderReference,
  walkConfig,
} from '@pk/config';
import { type CatalogSnapshot, isStaleCheck, type Store, type WriteBasis } from '@pk/store';

/** How many times a checked write reloads and checks again when other writes keep landing first. */
const CHECKED_WRITE_ATTEMPTS = 5;

/**
 * Runs a write whose checks read what other records name (a config's virtual keys and guardrails,
 * what uses a key, a guardrail or a partial being deleted) as one step with them. The snapshot is
 * brought up to date first: it follows other replicas' writes up to a poll (250 ms) late, so a key
 * just deleted through another replica was still found here and a saved config naming it was
 * written (every request through it then a 404). `write` checks on `snapshot` (or reads the
 * database) and passes `basis` to the store, which refuses the write as stale when any change was
 * committed after that snapshot: a key deleted through one replica while a config naming it is
 * saved through another at the same instant can no longer both pass. A stale write is checked
 * again on a fresh snapshot, a few times. A reload that fails (the database down) leaves the
 * snapshot as it was: the write that follows says why.
 */
export async function checkedWrite<T>(
  store: Store,
  write: (basis: WriteBasis, snapshot: CatalogSnapshot) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    await store.refresh().catch(() => undefined);
    const snapshot = store.catalog.snapshot;
    try {
      return await write({ checkedAt: snapshot.version }, snapshot);
    } catch (error) {
      if (!isStaleCheck(error) || attempt === CHECKED_WRITE_ATTEMPTS) throw error;
    }
  }
}

/**
 * The saved configs (stored or from the settings file) that send requests through a virtual key:
 * a target's `virtual_key`, a `provider: "@slug"`, or an `override_params.model: "@slug/model"`. A
 * virtual key they name cannot be deleted.
 */
export function configsUsingVirtualKey(snapshot: CatalogSnapshot, slug: string): string[] {
  const using: string[] = [];
  for (const saved of snapshot.configs.values()) {
    if (virtualKeyReferences(saved.config).some((reference) => reference.slug === slug))
      using.push(saved.slug);
  }
  return using;
}

/** Where a config names a virtual key: the path of the field (`config.targets[1].virtual_key`) and the slug. */
export interface VirtualKeyReference {
  readonly path: string;
  readonly slug: string;
}

/**
 * Every virtual key a config names, as `virtual_key`, as a `provider: "@slug"` or as an
 * `override_params.model: "@slug/model"` (wherever it is written: a target naming its key itself
 * ignores the model's slug, but a slug that names nothing is a mistake all the same), in config order.
 */
export function virtualKeyReferences(config: Config): VirtualKeyReference[] {
  const references: VirtualKeyReference[] = [];
  walkConfig(config, (node, place) => {
    if (typeof node.virtual_key === 'string')
      references.push({ path: formatConfigPath([...place.segments, 'virtual_key']), slug: node.virtual_key });
    if (typeof node.provider === 'string') {
      const reference = parseProviderReference(node.provider);
      if (reference.kind === 'virtual-key')
        references.push({
          path: formatConfigPath([...place.segments, 'provider']),
          slug: reference.virtualKeyId,
        });
    }
    const model = node.override_params?.model;
    const modelReference = typeof model === 'string' ? parseModelReference(model) : undefined;
    if (modelReference)
      references.push({
        path: formatConfigPath([...place.segments, 'override_params', 'model']),
        slug: modelReference.virtualKeyId,
      });
  });
  return references;
}

/**
 * Whether the virtual key `slug` exists: one that has expired, is disabled, or that this gateway cannot decrypt,
 * still does (a request through it is told why it cannot be used).
 */
export function virtualKeyExists(snapshot: CatalogSnapshot, slug: string): boolean {
  return (
    snapshot.virtualKeys.has(slug) ||
    snapshot.expiredVirtualKeys.has(slug) ||
    snapshot.disabledVirtualKeys.has(slug) ||
    snapshot.unreadableVirtualKeys.has(slug)
  );
}

/** How an issue of {@link missingVirtualKeyIssues} begins. */
export const MISSING_VIRTUAL_KEY = 'no virtual key has the id';

/**
 * The virtual keys a config names that the snapshot does not have (an expired key, or one this
 * gateway cannot decrypt, still exists: a request through it is told why it cannot be used), one
 * issue each at its path. A saved config naming a missing key would answer every request with a 404,
 * so the admin API refuses it when it is written.
 */
export function missingVirtualKeyIssues(config: Config, snapshot: CatalogSnapshot): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const { path, slug } of virtualKeyReferences(config)) {
    if (virtualKeyExists(snapshot, slug)) continue;
    issues.push({ path, message: `${MISSING_VIRTUAL_KEY} ${describeValue(slug)}` });
  }
  return issues;
}
