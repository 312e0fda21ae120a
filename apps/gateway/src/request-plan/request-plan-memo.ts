import type { IncomingHttpHeaders } from 'node:http';
import type { CatalogSnapshot } from '@pk/store';
import { LRUCache } from 'lru-cache';
import type { ConfigParseCache } from './config-parse-cache.js';
import { type RequestPlan, type RequestPlanInput, resolveRequestPlan } from './resolve-request-plan.js';

/** Distinct header combinations kept resolved per app (each entry one plan; LRU beyond). */
const MAX_PLANS = 1000;

/**
 * `x-portkey-*` headers that differ per request and take no part in a plan: left out of the key, so
 * a client sending a fresh trace id or metadata on every request still reuses its plan.
 */
const PER_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'x-portkey-trace-id',
  'x-portkey-metadata',
  'x-portkey-span-id',
  'x-portkey-parent-span-id',
  'x-portkey-span-name',
]);

/** The un-prefixed headers a plan reads: the provider key's three places. */
const KEY_HEADERS = ['authorization', 'x-api-key', 'api-key'] as const;

interface Memo {
  readonly snapshot: CatalogSnapshot;
  readonly generation: number;
  readonly plans: LRUCache<string, RequestPlan>;
}

/** One memo per app (its config cache), started again when the catalog or the guardrails change. */
const memos = new WeakMap<ConfigParseCache, Memo>();

/**
 * Everything a plan is derived from, as one string: every `x-portkey-*` header but the per-request
 * ones, the provider key headers, a `@virtual-key/model` body model, the gateway key and the route's
 * default provider. Settings and the config cache are the app's; the catalog snapshot starts a new
 * memo. Values are joined with characters no header value can hold (NUL, newline).
 */
function planKeyOf(input: RequestPlanInput, headers: IncomingHttpHeaders): string {
  let key = `${input.gatewayKey?.id ?? ''}\n${input.authorizationIsGatewayKey ? 1 : 0}\n${input.defaultProvider ?? ''}\n${
    input.model?.startsWith('@') ? input.model : ''
  }`;
  for (const name of KEY_HEADERS) {
    const value = headers[name];
    if (value !== undefined) key += `\n${name}\0${String(value)}`;
  }
  for (const name in headers) {
    if (!name.startsWith('x-portkey-') || PER_REQUEST_HEADERS.has(name)) continue;
    const value = headers[name];
    key += `\n${name}\0${Array.isArray(value) ? value.join('\0') : String(value)}`;
  }
  return key;
}

/**
 * {@link resolveRequestPlan}, computed once per distinct combination of what decides it (bounded):
 * clients send the same headers and config on every request, so the plan (leaf targets, snake_case
 * keys, credentials attached) is resolved once. Requests whose headers have problems, and plans that
 * fail (they throw), are never kept. The plans returned are shared: nothing may change them in place.
 */
export function resolveRequestPlanOnce(input: RequestPlanInput, headers: IncomingHttpHeaders): RequestPlan {
  if (input.headers.problems.length > 0) return resolveRequestPlan(input);
  const configCache = input.configCache;
  let memo = memos.get(configCache);
  if (memo === undefined || memo.snapshot !== input.catalog || memo.generation !== configCache.generation) {
    memo = {
      snapshot: input.catalog,
      generation: configCache.generation,
      plans: new LRUCache({ max: MAX_PLANS }),
    };
    memos.set(configCache, memo);
  }
  const key = planKeyOf(input, headers);
  const found = memo.plans.get(key);
  if (found !== undefined) return found;
  const plan = resolveRequestPlan(input);
  memo.plans.set(key, plan);
  return plan;
}
