import { StartupError } from '../server-options.js';
import { createRedisClient, DEFAULT_REDIS_URL } from '../stores/redis-client.js';
import { DEFAULT_MAX_TOKENS } from './estimate.js';
import { createRedisLimitStore } from './redis-limit-store.js';
import type { LimitsOptions } from './set-up-limits.js';

function positiveInteger(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
  max: number,
): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new StartupError(`${name} must be an integer 1-${max}, got ${JSON.stringify(text)}`);
  return value;
}

/**
 * `PK_LIMITS_STORE=memory` (default: one process) or `redis` (shared by every replica at
 * `PK_REDIS_URL`, keys under `PK_LIMITS_KEY_PREFIX`, default `pk:limits:`); `PK_REPLICAS` (default 1),
 * `PK_LIMITS_DEFAULT_MAX_TOKENS` (default 4096), `PK_LIMITS_HOLD_TTL_MS` (default 600 000).
 */
export function limitsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  onRedisError: (error: Error) => void,
): LimitsOptions & { readonly kind: 'memory' | 'redis' } {
  const kind = env.PK_LIMITS_STORE || 'memory';
  const common = {
    replicas: positiveInteger(env, 'PK_REPLICAS', 1, 10_000),
    defaultMaxTokens: positiveInteger(env, 'PK_LIMITS_DEFAULT_MAX_TOKENS', DEFAULT_MAX_TOKENS, 10_000_000),
    holdTtlMs: positiveInteger(env, 'PK_LIMITS_HOLD_TTL_MS', 600_000, 86_400_000),
  };
  if (kind === 'memory') return { kind, ...common };
  if (kind !== 'redis')
    throw new StartupError(`PK_LIMITS_STORE must be memory or redis, got ${JSON.stringify(kind)}`);
  const prefix = env.PK_LIMITS_KEY_PREFIX || 'pk:limits:';
  if (/[{}]/.test(prefix)) throw new StartupError('PK_LIMITS_KEY_PREFIX must not contain { or }');
  const client = createRedisClient(env.PK_REDIS_URL || DEFAULT_REDIS_URL, {
    commandTimeoutMs: 250,
    onError: onRedisError,
  });
  return { kind, ...common, store: createRedisLimitStore({ client, prefix }) };
}
