import type { ConfigWarning } from '../plan/plan.js';
import {
  DEFAULT_CACHE_MAX_AGE_SECONDS,
  isCacheMaxAgeInRange,
  MAX_CACHE_MAX_AGE_SECONDS,
  MIN_CACHE_MAX_AGE_SECONDS,
} from '../schema/cache.js';
import { MAX_RETRY_ATTEMPTS } from '../schema/retry.js';
import type { Config } from '../schema/target.js';
import { formatShownPath, type PathSegment } from './config-path.js';
import { type ConfigNode, walkConfig } from './config-walk.js';

/** Below this, a `request_timeout` (ms) was most likely meant in seconds. */
const SUSPICIOUS_TIMEOUT_MS = 100;
const QUERY_ROOTS = ['metadata', 'params', 'url'];

/** The warning given when a cache `max_age` outside 60 s – 90 days is replaced by the default. */
export function maxAgeWarningMessage(path: string, maxAge: number): string {
  return (
    `${path}: expected seconds from ${MIN_CACHE_MAX_AGE_SECONDS} to ${MAX_CACHE_MAX_AGE_SECONDS} (90 days), got ${maxAge}; ` +
    `using the 7-day default ${DEFAULT_CACHE_MAX_AGE_SECONDS} as hosted Portkey does`
  );
}

function queryPaths(query: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(query).flatMap(([key, value]) => {
    if ((key === '$and' || key === '$or') && Array.isArray(value)) {
      return value.flatMap((sub) =>
        sub !== null && typeof sub === 'object' && !Array.isArray(sub)
          ? queryPaths(sub as Record<string, unknown>)
          : [],
      );
    }
    return key.startsWith('$') ? [] : [key];
  });
}

function strategyWarnings(
  node: ConfigNode,
  at: readonly PathSegment[],
  add: (segments: PathSegment[], text: string) => void,
): void {
  const strategy = node.strategy;
  if (strategy === undefined) return;
  const s: PathSegment[] = [...at, 'strategy'];
  if (strategy.mode !== 'conditional') {
    if (strategy.conditions !== undefined)
      add([...s, 'conditions'], `only read in conditional mode; ignored in ${strategy.mode} mode`);
    if (strategy.default !== undefined)
      add([...s, 'default'], `only read in conditional mode; ignored in ${strategy.mode} mode`);
  }
  if (strategy.on_status_codes !== undefined && strategy.mode !== 'fallback') {
    add([...s, 'on_status_codes'], `only read in fallback mode; ignored in ${strategy.mode} mode`);
  }
  if (strategy.mode === 'conditional' && strategy.cb_config !== undefined) {
    add(
      [...s, 'cb_config'],
      'conditional groups are not evaluated by circuit breakers; passed on to nested groups only',
    );
  }
  strategy.conditions?.forEach((condition, index) => {
    for (const path of queryPaths(condition.query)) {
      if (!QUERY_ROOTS.includes(path.split('.')[0] ?? '')) {
        add(
          [...s, 'conditions', index, 'query', path],
          'a query path starts with metadata., params. or url.; this one never matches',
        );
      }
    }
  });
}

/**
 * Non-fatal remarks about a typed config: keys that are read nowhere in their position, a
 * `request_timeout` that looks like seconds, query paths that can never match, `retry.attempts`
 * above 5 (capped by `normalizeRetry`), and (unless
 * `includeMaxAge` is false) cache `max_age` values that will be replaced by the default.
 */
export function collectConfigWarnings(
  config: Config,
  options: { readonly spellings?: ReadonlyMap<string, string>; readonly includeMaxAge?: boolean } = {},
): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const spellings = options.spellings ?? new Map<string, string>();
  const add = (segments: PathSegment[], text: string) => {
    const path = formatShownPath(segments, spellings);
    warnings.push({ path, message: `${path}: ${text}` });
  };
  walkConfig(config, (node, place) => {
    const at = place.segments;
    if (node.on_status_codes !== undefined) {
      add(
        [...at, 'on_status_codes'],
        'not read by Portkey at this level; fallback reads strategy.on_status_codes',
      );
    }
    if (node.request_timeout !== undefined && node.request_timeout < SUSPICIOUS_TIMEOUT_MS) {
      add(
        [...at, 'request_timeout'],
        `is in milliseconds; ${node.request_timeout} ms is very short (seconds meant?)`,
      );
    }
    const attempts = node.retry?.attempts;
    if (attempts !== undefined && attempts > MAX_RETRY_ATTEMPTS) {
      add(
        [...at, 'retry', 'attempts'],
        `at most ${MAX_RETRY_ATTEMPTS} retries (the limit hosted Portkey documents), got ${attempts}; using ${MAX_RETRY_ATTEMPTS}`,
      );
    }
    const maxAge = node.cache?.max_age;
    if (options.includeMaxAge !== false && maxAge !== undefined && !isCacheMaxAgeInRange(maxAge)) {
      const path = formatShownPath([...at, 'cache', 'max_age'], spellings);
      warnings.push({ path, message: maxAgeWarningMessage(path, maxAge) });
    }
    strategyWarnings(node, at, add);
  });
  return warnings;
}

/** Replaces every cache `max_age` outside 60 s – 90 days by the 7-day default, in place (parser-owned copies only). */
export function resetOutOfRangeMaxAge(config: Config): void {
  walkConfig(config, (node) => {
    if (node.cache?.max_age !== undefined && !isCacheMaxAgeInRange(node.cache.max_age)) {
      node.cache.max_age = DEFAULT_CACHE_MAX_AGE_SECONDS;
    }
  });
}
