import { normalizeCache, type ResolvedPlan } from '@pk/config';
import type { RequestOptions } from '@pk/headers';

/** A plan after Portkey's legacy request headers, and what the client is told about them. */
export interface LegacyHeadersResult {
  readonly plan: ResolvedPlan;
  /** One line per legacy header the gateway did not follow (for `x-pk-warnings` and the log). */
  readonly warnings?: readonly string[];
}

/**
 * Applies Portkey's legacy request headers (behaviour reference §2.2, §5.2):
 * - `x-portkey-cache: simple | semantic | true` turns the cache on for the request, as a config's
 *   `cache: { mode }` at the root would (looked up once before the strategy; `max_age` the 7-day
 *   default, which `x-portkey-cache-ttl` and `cache-control: max-age` may set). A config with a
 *   `cache` at its root wins, as in Portkey (`config cache mode ?? header`); a different mode in the
 *   header is then reported. `false` asks for nothing.
 * - `x-portkey-retry-count` and `x-portkey-mode` are not read by Portkey's gateway on these routes
 *   (retries come from the config's `retry`, the provider from the provider headers or the config):
 *   pk does not follow them either, and says so.
 * Pure, and run once per distinct header combination (the plan is memoised): a request without these
 * headers gets its plan back unchanged.
 */
export function applyLegacyHeaders(plan: ResolvedPlan, options: RequestOptions): LegacyHeadersResult {
  const { cache: mode, retryCount, mode: proxyMode } = options;
  if ((mode === undefined || mode === false) && retryCount === undefined && proxyMode === undefined) {
    return { plan };
  }
  const warnings: string[] = [];
  let result = plan;
  if (mode === 'simple' || mode === 'semantic') {
    if (plan.cache === undefined) result = { ...plan, cache: normalizeCache({ mode }).policy };
    else if (plan.cache.mode !== mode) {
      warnings.push(`x-portkey-cache: ignored; the config's cache (mode ${plan.cache.mode}) applies`);
    }
  }
  if (retryCount !== undefined) {
    warnings.push("x-portkey-retry-count: ignored (a legacy header); set retries in the config's retry");
  }
  if (proxyMode !== undefined) {
    warnings.push(
      'x-portkey-mode: ignored (a legacy header); name the provider with x-portkey-provider, x-portkey-virtual-key or a config',
    );
  }
  return warnings.length === 0 ? { plan: result } : { plan: result, warnings };
}
