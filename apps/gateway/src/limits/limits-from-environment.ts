import { isQuoted } from '@pk/store';
import { StartupError } from '../server-options.js';
import {
  createRedisClient,
  quotedPrefixRefusal,
  redisKeyPrefixFromEnvironment,
  redisUrlFromEnvironment,
} from '../stores/redis-client.js';
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
  // Decimal digits only (decision 0007): `1e3`, `0x10`, a sign, a space or a fraction is refused.
  const value = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new StartupError(`${name} must be an integer 1-${max}, got ${JSON.stringify(text)}`);
  return value;
}

/**
 * `PK_LIMITS_STORE=memory` (default: one process) or `redis` (shared by every replica at
 * `PK_REDIS_URL`, keys under `PK_LIMITS_KEY_PREFIX`, default `pk:limits:` with `pk:` being
 * `PK_REDIS_KEY_PREFIX`); `PK_REPLICAS` (default 1),
 * `PK_LIMITS_DEFAULT_MAX_TOKENS` (default 4096), `PK_LIMITS_HOLD_TTL_MS` (default 600 000),
 * `PK_LIMITS_TIMEOUT_MS` (one Redis command, default 500).
 */
export function limitsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  onRedisError: (error: Error) => void,
  /** One line for a variable that does nothing with the chosen store (the Redis ones with `memory`). */
  onWarning: (message: string) => void = () => undefined,
): LimitsOptions & {
  readonly kind: 'memory' | 'redis';
  /** Resolves once the shared store is connected, or after 2 s (then requests meet it as down). */
  readonly ready: Promise<void>;
} {
  const kind = env.PK_LIMITS_STORE || 'memory';
  const common = {
    replicas: positiveInteger(env, 'PK_REPLICAS', 1, 10_000),
    defaultMaxTokens: positiveInteger(env, 'PK_LIMITS_DEFAULT_MAX_TOKENS', DEFAULT_MAX_TOKENS, 10_000_000),
    holdTtlMs: positiveInteger(env, 'PK_LIMITS_HOLD_TTL_MS', 600_000, 86_400_000),
  };
  if (kind !== 'memory' && kind !== 'redis')
    throw new StartupError(`PK_LIMITS_STORE must be memory or redis, got ${JSON.stringify(kind)}`);
  // Checked with either store: a bad value is refused even where it would do nothing yet.
  const commandTimeoutMs = positiveInteger(env, 'PK_LIMITS_TIMEOUT_MS', 500, 60_000);
  const prefix = env.PK_LIMITS_KEY_PREFIX || `${redisKeyPrefixFromEnvironment(env)}limits:`;
  // Read exactly (decision 0007): padding (a secret file's newline) or quotes (a compose env_file's)
  // were kept in every key, apart from the replicas given the prefix without them.
  if (env.PK_LIMITS_KEY_PREFIX && isQuoted(prefix))
    throw new StartupError(quotedPrefixRefusal('PK_LIMITS_KEY_PREFIX', prefix));
  if (/[{}\s\p{Cc}]/u.test(prefix)) {
    throw new StartupError(
      `PK_LIMITS_KEY_PREFIX must be a prefix without {, }, whitespace or control characters (staging:limits:), got ${JSON.stringify(prefix)}`,
    );
  }
  if (kind === 'memory') {
    const unused = ['PK_LIMITS_KEY_PREFIX', 'PK_LIMITS_TIMEOUT_MS'].filter((name) => env[name]);
    if (unused.length > 0) {
      onWarning(
        `${unused.join(' and ')} ${unused.length > 1 ? 'are' : 'is'} set but PK_LIMITS_STORE is memory: ` +
          `${unused.length > 1 ? 'they apply' : 'it applies'} only with PK_LIMITS_STORE=redis`,
      );
    }
    return { kind, ...common, ready: Promise.resolve() };
  }
  // A command that times out may still have run in Redis, and an open limit then also admits
  // locally: too short a timeout under load turns slowness into over-admission (default 500 ms).
  const client = createRedisClient(redisUrlFromEnvironment(env), {
    commandTimeoutMs,
    onError: onRedisError,
  });
  // Commands fail at once until the connection is up (no offline queue): the gateway waits for it
  // before listening, so its first requests are not served as if Redis were down.
  const ready = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2000);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return { kind, ...common, ready, store: createRedisLimitStore({ client, prefix }) };
}
