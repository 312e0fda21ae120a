import { lookupPrice, type PriceLookup } from '@pk/prices';
import { isSupportedProviderId } from '@pk/providers';

/** The label value of whatever is outside a bounded set (an unpriced model, an unknown provider …). */
export const OTHER = 'other';
/** The label value when a request never got that far (no provider chosen, no model named). */
export const NONE = 'none';

/** How a model label is found: the price table's id for a priced model (bounded by the table). */
export type ModelLookup = (model: {
  provider: string;
  model: string;
}) => Pick<PriceLookup, 'model_id'> | undefined;

/** `2xx` … `5xx` (a 499, client gone, is `4xx`). */
export function statusClass(status: number): string {
  if (status >= 100 && status < 600) return `${Math.floor(status / 100)}xx`;
  return OTHER;
}

/** A provider id pk supports, else `other`; `none` when no provider was chosen. */
export function providerLabel(provider: string | undefined): string {
  if (provider === undefined || provider === '') return NONE;
  return isSupportedProviderId(provider) ? provider : OTHER;
}

const CACHE_STATUSES: Readonly<Record<string, string>> = {
  HIT: 'hit',
  MISS: 'miss',
  REFRESH: 'refresh',
  DISABLED: 'disabled',
  'SEMANTIC HIT': 'semantic_hit',
  'SEMANTIC MISS': 'semantic_miss',
};

/** The response cache's status, lower case (`hit`, `semantic_hit` …); `none` when the request never reached it. */
export function cacheStatusLabel(cacheStatus: string | undefined): string {
  if (cacheStatus === undefined) return NONE;
  return CACHE_STATUSES[cacheStatus] ?? OTHER;
}

/**
 * Model labels, bounded by the price table: a priced model is labelled by the table's own id for it
 * (`gpt-4o-2024-08-06` and `openai/gpt-4o` both count as `gpt-4o`), anything else is `other`, so a
 * client sending a new model name per request mints no series (LiteLLM PR #39136). The table lookup
 * runs once per distinct provider and spelling (kept up to `maxEntries`, then started afresh).
 */
export function createModelLabeller(options: { lookup?: ModelLookup; maxEntries?: number } = {}) {
  const lookup: ModelLookup = options.lookup ?? ((model) => lookupPrice(model));
  const maxEntries = options.maxEntries ?? 10_000;
  const known = new Map<string, string>();
  return (provider: string | undefined, model: string | undefined): string => {
    if (model === undefined || model === '') return NONE;
    if (provider === undefined || provider === '' || !isSupportedProviderId(provider)) return OTHER;
    const key = `${provider}\u0000${model}`;
    let label = known.get(key);
    if (label === undefined) {
      let found: string | undefined;
      try {
        found = lookup({ provider, model })?.model_id;
      } catch {
        found = undefined;
      }
      label = found === undefined || found === '' ? OTHER : found;
      if (known.size >= maxEntries) known.clear();
      known.set(key, label);
    }
    return label;
  };
}

/**
 * A virtual key's label: its slug while it is configured (settings or store), `other` for a name that
 * is not (a typo, a deleted key), `none` without one. Slugs are chosen by operators, so bounded.
 */
export function virtualKeyLabel(
  virtualKey: string | undefined,
  isConfigured: (slug: string) => boolean,
): string {
  if (virtualKey === undefined || virtualKey === '') return NONE;
  return isConfigured(virtualKey) ? virtualKey : OTHER;
}

/**
 * Retries made, read from the attempt log: each attempt on the same target as the one before it.
 * (`retries` in the log line follows Portkey's `x-portkey-retry-attempt-count`, which is -1 once every
 * retry failed, so it cannot be summed.)
 */
export function retriesIn(attempts: readonly { readonly targetPath: string }[] | undefined): number {
  if (attempts === undefined) return 0;
  let retries = 0;
  for (let index = 1; index < attempts.length; index += 1) {
    if (attempts[index]?.targetPath === attempts[index - 1]?.targetPath) retries += 1;
  }
  return retries;
}

/**
 * How many times an attempt log moved to another target (a fallback); retries of one target and a
 * single attempt count 0.
 */
export function fallbacksIn(attempts: readonly { readonly targetPath: string }[] | undefined): number {
  if (attempts === undefined) return 0;
  let fallbacks = 0;
  for (let index = 1; index < attempts.length; index += 1) {
    if (attempts[index]?.targetPath !== attempts[index - 1]?.targetPath) fallbacks += 1;
  }
  return fallbacks;
}

/**
 * Whether a request's end counts in `pk_requests_total` and the other request metrics: a request of
 * a proxy route (one with a provider endpoint: chat, completions, embeddings, messages, responses,
 * prompt runs …), including one refused before its route ran (a bad key, a bad body). Probes,
 * scrapes, the admin API, the logs API and unknown paths are not counted.
 */
export function countsAsProxiedRequest(end: {
  readonly fields: { readonly endpoint?: string | undefined };
  readonly request: { readonly routeOptions?: { readonly config?: { readonly proxyEndpoint?: string } } };
}): boolean {
  // A request that ran has its endpoint; only the rest read the route's options (an object per read).
  return end.fields.endpoint !== undefined || end.request.routeOptions?.config?.proxyEndpoint !== undefined;
}
