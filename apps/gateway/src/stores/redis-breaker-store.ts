import {
  type BreakerCounters,
  type BreakerReading,
  type BreakerRecordResult,
  type BreakerStatus,
  compareBreakerStatuses,
  type InspectableBreakerStore,
  statusOfCounters,
} from '@pk/config';
import type { Redis } from 'ioredis';
import { createRedisStallGuard, type RedisStallGuard } from './redis-stall-guard.js';

/**
 * One breaker is one hash `{prefix}{<breaker key>}` with fields `f` (failures), `s` (successes), `w`
 * (window start), `u` (end of the cooldown: open before, half-open after) and `p` (when the half-open
 * breaker's probe under way expires), all in the caller's clock, `c` (the rule's cooldown, ms) and
 * `t` (the target's description, for `list`). Each script touches one key, so it is atomic (one
 * probe at a time across replicas) and Redis Cluster safe; the hash tag keeps the key's slot that of
 * the breaker key alone. The steps are those of `@pk/config`'s `applyBreakerRecord` /
 * `readBreakerCounters` / `releaseBreakerProbe`. Replies: `{open, time, flag}`; for a record, flag 1
 * is "opened now" and 2 "closed now"; for a read, flag 1 is "this read took the probe".
 */
const RECORD_SCRIPT = `
local key = KEYS[1]
local failed = ARGV[1] == '1'
local now = tonumber(ARGV[2])
local threshold = tonumber(ARGV[3])
local percentage = tonumber(ARGV[4])
local minimum = tonumber(ARGV[5])
local cooldown = tonumber(ARGV[6])
local probe = ARGV[9] == '1'
local state = redis.call('HMGET', key, 'f', 's', 'w', 'u')
local f = tonumber(state[1]) or 0
local s = tonumber(state[2]) or 0
local w = tonumber(state[3])
local u = tonumber(state[4])
local closing = false
if u then
  if now < u then return {1, string.format('%.17g', u), 0} end
  -- Half-open: only the probe's outcome decides.
  if not probe then return {0, '', 0} end
  if failed then
    u = now + cooldown
    redis.call('HSET', key, 'f', f + 1, 'u', string.format('%.17g', u), 'c', ARGV[6])
    redis.call('HDEL', key, 'p')
    if ARGV[8] ~= '' then redis.call('HSET', key, 't', ARGV[8]) end
    redis.call('PEXPIRE', key, ARGV[7])
    return {1, string.format('%.17g', u), 1}
  end
  f, s, w, u = 0, 0, nil, nil
  closing = true
end
if w and now - w > cooldown then f, s, w = 0, 0, nil end
if failed then
  f = f + 1
  if not w then w = now end
else
  s = s + 1
end
local open = false
if f > 0 then
  if threshold and f >= threshold then
    open = true
  elseif percentage and (f + s) >= minimum and (100 * f) / (f + s) >= percentage then
    open = true
  end
end
redis.call('DEL', key)
redis.call('HSET', key, 'f', f, 's', s, 'c', ARGV[6])
if ARGV[8] ~= '' then redis.call('HSET', key, 't', ARGV[8]) end
if w then redis.call('HSET', key, 'w', string.format('%.17g', w)) end
if open then
  u = now + cooldown
  redis.call('HSET', key, 'u', string.format('%.17g', u))
end
redis.call('PEXPIRE', key, ARGV[7])
if open then return {1, string.format('%.17g', u), 1} end
if closing then return {0, '', 2} end
return {0, '', 0}
`;

const READ_SCRIPT = `
local state = redis.call('HMGET', KEYS[1], 'u', 'p', 'c')
local u = tonumber(state[1])
if not u then return {0, '', 0} end
local now = tonumber(ARGV[1])
if now < u then return {1, string.format('%.17g', u), 0} end
local p = tonumber(state[2])
if p and now < p then return {1, string.format('%.17g', p), 0} end
local c = tonumber(state[3]) or 30000
p = now + c
redis.call('HSET', KEYS[1], 'p', string.format('%.17g', p))
redis.call('PEXPIRE', KEYS[1], ARGV[2] + 2 * c)
return {0, string.format('%.17g', p), 1}
`;

const RELEASE_SCRIPT = `
local p = tonumber(redis.call('HGET', KEYS[1], 'p'))
if p and p == tonumber(ARGV[1]) then redis.call('HDEL', KEYS[1], 'p') end
return 0
`;

const CLOSE_SCRIPT = `
local u = redis.call('HGET', KEYS[1], 'u')
redis.call('DEL', KEYS[1])
if u then return 1 end
return 0
`;

/** The fields `list` reads of each breaker, in HMGET order. */
const STATUS_FIELDS = ['f', 's', 'w', 'u', 'p', 'c', 't'] as const;

/** Most breaker keys one `list` reads from Redis (SCAN pages of 1,000). */
const LIST_SCAN_CAP = 10_000;

/** Options of {@link createRedisBreakerStore}. */
export interface RedisBreakerStoreOptions {
  /** Key prefix, without braces (default `pk:breaker:`); tests use one per run. */
  readonly prefix?: string;
  /** Fails `read` and `record` at once while Redis hangs (default: a guard of its own). */
  readonly guard?: RedisStallGuard;
}

type ScriptReply = [number, string, number];

const CLOSED: BreakerReading = { open: false, probe: false };

interface BreakerCommands {
  pkBreakerRecord(key: string, ...args: string[]): Promise<ScriptReply>;
  pkBreakerRead(key: string, now: string, graceMs: string): Promise<ScriptReply>;
  pkBreakerRelease(key: string, probeUntil: string): Promise<number>;
  pkBreakerClose(key: string, now: string): Promise<number>;
}

/**
 * Idle breakers are forgotten after this many real milliseconds beyond their cooldown (their counts
 * would be reset by the next outcome anyway), so Redis holds no keys of configs gone by.
 */
const IDLE_GRACE_MS = 60_000;

/**
 * A {@link BreakerStore} shared by every replica through Redis: one Lua script per record (atomic per
 * breaker) and one pipelined read of several breakers. Commands fail rather than queue (see
 * `createRedisClient`); wrap it in `createFallbackBreakerStore` to keep serving when Redis is down.
 */
export function createRedisBreakerStore(
  client: Redis,
  options: RedisBreakerStoreOptions = {},
): InspectableBreakerStore {
  const prefix = options.prefix ?? 'pk:breaker:';
  if (/[{}]/.test(prefix)) throw new Error('the breaker key prefix must not contain braces');
  if (!('pkBreakerRecord' in client)) {
    client.defineCommand('pkBreakerRecord', { numberOfKeys: 1, lua: RECORD_SCRIPT });
    client.defineCommand('pkBreakerRead', { numberOfKeys: 1, lua: READ_SCRIPT });
    client.defineCommand('pkBreakerRelease', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
    client.defineCommand('pkBreakerClose', { numberOfKeys: 1, lua: CLOSE_SCRIPT });
  }
  const commands = client as unknown as BreakerCommands;
  const redisKey = (key: string): string => `${prefix}{${key}}`;
  const guard = options.guard ?? createRedisStallGuard();

  return {
    async read(keys, nowMs) {
      if (keys.length === 0) return [];
      const replies = await guard.run(async () => {
        const pipeline = client.pipeline();
        for (const key of keys) {
          (pipeline as unknown as BreakerCommands).pkBreakerRead(
            redisKey(key),
            String(nowMs),
            String(IDLE_GRACE_MS),
          );
        }
        const all = (await pipeline.exec()) ?? [];
        // A pipeline resolves with each command's error: a timeout must reach the guard.
        for (const [error] of all) if (error) throw error;
        return all;
      });
      return replies.map(([error, reply]): BreakerReading => {
        if (error) throw error;
        const [open, time, probe] = reply as ScriptReply;
        if (open === 1) return { open: true, openUntilMs: Number(time), probe: false };
        return probe === 1 ? { open: false, probe: true, probeUntilMs: Number(time) } : CLOSED;
      });
    },
    async record(key, record): Promise<BreakerRecordResult> {
      const { rule } = record;
      const [open, until, flag] = await guard.run(() =>
        commands.pkBreakerRecord(
          redisKey(key),
          record.failed ? '1' : '0',
          String(record.nowMs),
          rule.failureThreshold === undefined ? '' : String(rule.failureThreshold),
          rule.failureThresholdPercentage === undefined ? '' : String(rule.failureThresholdPercentage),
          String(rule.minimumRequests),
          String(rule.cooldownMs),
          String(Math.ceil(2 * rule.cooldownMs + IDLE_GRACE_MS)),
          record.target ?? '',
          record.probe === true ? '1' : '0',
        ),
      );
      return open === 1
        ? { open: true, openUntilMs: Number(until), openedNow: flag === 1, closedNow: false }
        : { open: false, openedNow: false, closedNow: flag === 2 };
    },
    async releaseProbe(key, probeUntilMs) {
      await guard.run(() => commands.pkBreakerRelease(redisKey(key), String(probeUntilMs)));
    },
    async list(nowMs, listOptions): Promise<readonly BreakerStatus[]> {
      const keys = await scanKeys(client, `${globEscaped(prefix)}{*}`);
      const pipeline = client.pipeline();
      for (const key of keys) pipeline.hmget(key, ...STATUS_FIELDS);
      const replies = (await pipeline.exec()) ?? [];
      const found: BreakerStatus[] = [];
      replies.forEach(([error, reply], index) => {
        if (error) throw error;
        const redisKeyFound = keys[index];
        if (redisKeyFound === undefined) return;
        const status = statusOfCounters(
          redisKeyFound.slice(prefix.length + 1, -1),
          countersOf(reply as readonly (string | null)[]),
          nowMs,
        );
        if (status !== undefined) found.push(status);
      });
      return found.sort(compareBreakerStatuses).slice(0, listOptions?.limit ?? 1_000);
    },
    async close(key, nowMs) {
      return (await commands.pkBreakerClose(redisKey(key), String(nowMs))) === 1;
    },
  };
}

/** A breaker's hash fields (HMGET of {@link STATUS_FIELDS}) as counters. */
function countersOf([f, s, w, u, p, c, t]: readonly (string | null)[]): BreakerCounters {
  const numberOf = (text: string | null | undefined): number | undefined =>
    text === null || text === undefined || text === '' ? undefined : Number(text);
  return {
    failures: numberOf(f) ?? 0,
    successes: numberOf(s) ?? 0,
    windowStartMs: numberOf(w),
    openUntilMs: numberOf(u),
    probeUntilMs: numberOf(p),
    cooldownMs: numberOf(c),
    target: t ?? undefined,
  };
}

/** Every key matching `pattern`, by SCAN (never KEYS), at most {@link LIST_SCAN_CAP}. */
async function scanKeys(client: Redis, pattern: string): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, page] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    for (const key of page) keys.add(key);
    cursor = next;
  } while (cursor !== '0' && keys.size < LIST_SCAN_CAP);
  return [...keys].slice(0, LIST_SCAN_CAP);
}

/** `text` with Redis glob characters escaped, to MATCH it literally. */
function globEscaped(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
