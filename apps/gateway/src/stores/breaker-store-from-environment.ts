import { createMemoryBreakerStore, type InspectableBreakerStore } from '@pk/config';
import { StartupError } from '../server-options.js';
import { createFallbackBreakerStore } from './fallback-breaker-store.js';
import { createRedisBreakerStore } from './redis-breaker-store.js';
import { createRedisClient, redisKeyPrefixFromEnvironment, redisUrlFromEnvironment } from './redis-client.js';

/** The circuit-breaker store the environment chooses, and how to close it. */
export interface ChosenBreakerStore {
  readonly store: InspectableBreakerStore;
  readonly kind: 'memory' | 'redis';
  close(): Promise<void>;
}

/** Least time between two "breaker Redis unavailable" warnings. */
export const BREAKER_WARNING_INTERVAL_MS = 10_000;

/**
 * `PK_BREAKER_STORE=memory` (default: in-process, one replica) or `redis` (shared by every replica at
 * `PK_REDIS_URL`, default `redis://127.0.0.1:6379`). With Redis down, at start or later, breakers
 * fall back to in-process state, requests are served, and `warn` is called at most once per 10 s.
 */
export function breakerStoreFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  warn: (message: string) => void,
  now: () => number = Date.now,
): ChosenBreakerStore {
  let lastWarning = Number.NEGATIVE_INFINITY;
  const onRedisError = (error: unknown): void => {
    if (now() - lastWarning < BREAKER_WARNING_INTERVAL_MS) return;
    lastWarning = now();
    warn(
      `circuit-breaker Redis unavailable (${error instanceof Error ? error.message : String(error)}); ` +
        'breakers use in-process state until it answers',
    );
  };
  const kind = env.PK_BREAKER_STORE || 'memory';
  if (kind === 'memory') return { store: createMemoryBreakerStore(), kind, close: async () => {} };
  if (kind === 'redis') {
    const client = createRedisClient(redisUrlFromEnvironment(env), {
      commandTimeoutMs: 200,
      onError: onRedisError,
    });
    const prefix = `${redisKeyPrefixFromEnvironment(env)}breaker:`;
    const store = createFallbackBreakerStore(createRedisBreakerStore(client, { prefix }), onRedisError);
    return {
      store,
      kind,
      close: async () => {
        client.disconnect();
      },
    };
  }
  throw new StartupError(`PK_BREAKER_STORE must be memory or redis, got ${JSON.stringify(kind)}`);
}
