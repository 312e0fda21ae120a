import { createRequire } from 'node:module';
import { isQuoted } from '@pk/store';
import type { Redis } from 'ioredis';
import { StartupError } from '../server-options.js';
import { shownUrl } from '../shown-value.js';

/**
 * ioredis (a CommonJS package), loaded on the first client: a gateway without Redis never loads it
 * (~10 MB of resident memory).
 */
const requireModule = createRequire(import.meta.url);
let RedisClass: typeof Redis | undefined;
function redisClass(): typeof Redis {
  RedisClass ??= (requireModule('ioredis') as typeof import('ioredis')).Redis;
  return RedisClass;
}

/** Default Redis URL (`PK_REDIS_URL`). */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * `PK_REDIS_URL` (unset or empty: {@link DEFAULT_REDIS_URL}), checked before any client is made:
 * ioredis takes anything else for a socket path or a host name and retries it for ever, so a typo
 * (`http://…`, `localhost:6379`) would run the gateway degraded with errors that never name it.
 */
export function redisUrlFromEnvironment(env: Readonly<Record<string, string | undefined>>): string {
  const value = env.PK_REDIS_URL || DEFAULT_REDIS_URL;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    throw new StartupError(
      `PK_REDIS_URL must be a redis:// or rediss:// URL (redis://127.0.0.1:6379), got ${shownUrl(value)}`,
    );
  }
  // ioredis SELECTs the path's first segment: `/abc` was an unhandled ReplyError that ended the process.
  if (!/^\/?(\d{1,5}\/?)?$/.test(url.pathname)) {
    throw new StartupError(
      `PK_REDIS_URL must name a database by its number, if at all (redis://127.0.0.1:6379/0), got ${shownUrl(value)}`,
    );
  }
  return value;
}

/** What every key pk writes to Redis begins with, unless `PK_REDIS_KEY_PREFIX` says otherwise. */
export const DEFAULT_REDIS_KEY_PREFIX = 'pk:';

/**
 * `PK_REDIS_KEY_PREFIX` (default `pk:`): what every key pk writes to Redis begins with, in place of
 * `pk:`: the cache's `pk:c:…`, semantic vectors' `pk:sv:{tenant}`, breakers' `pk:breaker:{…}` and
 * limits' `pk:limits:…` (unless `PK_LIMITS_KEY_PREFIX` names theirs). Deployments sharing one Redis
 * keep apart with it where a database number cannot part them (a Redis Cluster has only database 0).
 * No `{` or `}` (keys carry Redis Cluster hash tags), whitespace or control character; 64 at most.
 */
export function redisKeyPrefixFromEnvironment(env: Readonly<Record<string, string | undefined>>): string {
  const value = env.PK_REDIS_KEY_PREFIX;
  if (value === undefined || value === '') return DEFAULT_REDIS_KEY_PREFIX;
  if (isQuoted(value)) throw new StartupError(quotedPrefixRefusal('PK_REDIS_KEY_PREFIX', value));
  if (value.length > 64 || /[{}\s\p{Cc}]/u.test(value)) {
    throw new StartupError(
      `PK_REDIS_KEY_PREFIX must be 1-64 characters without {, }, whitespace or control characters (staging:pk:), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * The refusal of a key prefix in quotes (`PK_REDIS_KEY_PREFIX="staging:"` from a compose env_file, which
 * keeps them): its keys would begin with the quotes, apart from those of every replica given it without.
 */
export function quotedPrefixRefusal(name: string, value: string): string {
  return `${name} is in quotes, which are never taken off (a docker compose env_file keeps them): give the prefix without them, got ${JSON.stringify(value)}`;
}

/** Options of {@link createRedisClient}. */
export interface RedisClientOptions {
  /** Milliseconds one command may take before it fails (default 250): a slow Redis never stalls a request. */
  readonly commandTimeoutMs?: number;
  /** Called for connection errors (ioredis emits them on every failed reconnect). */
  readonly onError?: (error: Error) => void;
}

/**
 * A Redis client for the gateway's shared state that fails fast instead of queueing: no offline queue
 * (a command while disconnected fails at once), no per-command retries, a short command timeout, and
 * reconnects in the background with a capped back-off. Callers treat a failed command as "store
 * unavailable" and serve the request without it.
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  const client = new (redisClass())(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 250,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(2000, 50 * 2 ** Math.min(attempt, 6)),
  });
  client.on('error', (error: Error) => options.onError?.(error));
  return client;
}
