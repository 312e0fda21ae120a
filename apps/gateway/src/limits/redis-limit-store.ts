import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisStallGuard, type RedisStallGuard } from '../stores/redis-stall-guard.js';
import {
  type LimitStore,
  releaseOf,
  type SubjectHold,
  type SubjectSettlement,
  type SubjectVerdict,
  type UsageFigures,
  WINDOW_BUCKETS,
} from './limit-store.js';

// Both scripts touch the keys of ONE subject, all under one Cluster hash tag `{<subject>}`, so each
// runs atomically on one node. They mirror `memory-limit-store.ts` line for line.
//
// Keys of a subject: `<prefix>{<subject>}:u:<period>` (hash: cost, tokens, requests, held, r:<id>
// amounts of holds, alerted, refused: the latest budget decision was a refusal, unseeded: made by a
// settlement after Redis had lost the counters, not yet seeded from the data store, seeded: seeded
// from it), `…:h:<period>`
// (sorted set: hold id → expiry), `…:w:<id>` (hash: bucket → amount, one per sliding window).

/**
 * KEYS: usage, holds, windows…; ARGV: now, id, ttl, measure, limit, amount, usageTtl, seed (1: answer
 * `unseeded` when the budget's counters are missing), n, (windowMs, limit, amount)×n.
 */
export const ADMIT_SCRIPT = `
if ARGV[4] ~= '' and ARGV[8] == '1' and (redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'unseeded') == 1) then
  return { 'unseeded' }
end
local now = tonumber(ARGV[1])
local rid = ARGV[2]
local ttl = tonumber(ARGV[3])
local measure = ARGV[4]
local blimit = tonumber(ARGV[5])
local bamount = tonumber(ARGV[6])
local uttl = tonumber(ARGV[7])
local n = tonumber(ARGV[9])
local K = ${WINDOW_BUCKETS}
local state = {}
for i = 1, n do
  local base = 9 + (i - 1) * 3
  local wms = tonumber(ARGV[base + 1])
  local lim = tonumber(ARGV[base + 2])
  local amt = tonumber(ARGV[base + 3])
  local key = KEYS[2 + i]
  local b = wms / K
  local cur = math.floor(now / b)
  local flat = redis.call('HGETALL', key)
  local sum = 0
  local live = {}
  for j = 1, #flat, 2 do
    local idx = tonumber(flat[j])
    local v = tonumber(flat[j + 1])
    if idx < cur - K then
      redis.call('HDEL', key, flat[j])
    else
      sum = sum + v
      live[#live + 1] = { idx, v }
    end
  end
  if sum + amt > lim then
    local retry = -1
    if amt <= lim and #live > 0 then
      table.sort(live, function(x, y) return x[1] < y[1] end)
      local need = sum + amt - lim
      local freed = 0
      retry = math.ceil(b * (K + 1))
      for _, entry in ipairs(live) do
        freed = freed + entry[2]
        if freed >= need then
          retry = math.max(1, math.ceil((entry[1] + K + 1) * b - now))
          break
        end
      end
    end
    return { 'rate', i - 1, retry, sum }
  end
  state[i] = { key, cur, sum + amt, amt, math.ceil(wms + 2 * b) }
end
local used = 0
if measure ~= '' then
  local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
  for _, id in ipairs(expired) do
    local a = tonumber(redis.call('HGET', KEYS[1], 'r:' .. id) or '0')
    redis.call('HINCRBY', KEYS[1], 'held', -a)
    redis.call('HDEL', KEYS[1], 'r:' .. id)
  end
  if #expired > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now) end
  used = tonumber(redis.call('HGET', KEYS[1], measure) or '0') + tonumber(redis.call('HGET', KEYS[1], 'held') or '0')
  if used + bamount > blimit then
    redis.call('HSET', KEYS[1], 'refused', '1')
    if uttl > 0 then redis.call('PEXPIRE', KEYS[1], uttl) end
    return { 'budget', 0, 0, used }
  end
  redis.call('HDEL', KEYS[1], 'refused')
  used = used + bamount
end
local out = { 'ok', used }
for i = 1, n do
  local s = state[i]
  redis.call('HINCRBY', s[1], string.format('%d', s[2]), s[4])
  redis.call('PEXPIRE', s[1], s[5])
  out[#out + 1] = string.format('%d', s[2])
  out[#out + 1] = s[3]
end
if measure ~= '' and bamount > 0 then
  redis.call('HINCRBY', KEYS[1], 'held', bamount)
  redis.call('HSET', KEYS[1], 'r:' .. rid, bamount)
  redis.call('ZADD', KEYS[2], now + ttl, rid)
  if uttl > 0 then
    redis.call('PEXPIRE', KEYS[1], uttl)
    redis.call('PEXPIRE', KEYS[2], uttl)
  end
end
return out
`;

/** KEYS: usage, holds, windows…; ARGV: id, measure, alertAt (-1: none), cost, tokens, requests, usageTtl, n, (bucket, delta)×n. */
export const SETTLE_SCRIPT = `
local rid = ARGV[1]
local measure = ARGV[2]
local alertAt = tonumber(ARGV[3])
local uttl = tonumber(ARGV[7])
local n = tonumber(ARGV[8])
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('HSET', KEYS[1], 'unseeded', '1') end
local held = redis.call('HGET', KEYS[1], 'r:' .. rid)
if held then
  redis.call('HINCRBY', KEYS[1], 'held', -tonumber(held))
  redis.call('HDEL', KEYS[1], 'r:' .. rid)
  redis.call('ZREM', KEYS[2], rid)
end
redis.call('HINCRBY', KEYS[1], 'cost', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'tokens', ARGV[5])
redis.call('HINCRBY', KEYS[1], 'requests', ARGV[6])
if uttl > 0 then redis.call('PEXPIRE', KEYS[1], uttl) end
for i = 1, n do
  local key = KEYS[2 + i]
  local bucket = ARGV[8 + (i - 1) * 2 + 1]
  local delta = tonumber(ARGV[8 + (i - 1) * 2 + 2])
  if delta ~= 0 and redis.call('HEXISTS', key, bucket) == 1 then redis.call('HINCRBY', key, bucket, delta) end
end
if measure ~= '' and alertAt >= 0 then
  local used = tonumber(redis.call('HGET', KEYS[1], measure) or '0')
  if used >= alertAt and redis.call('HSETNX', KEYS[1], 'alerted', '1') == 1 then return 1 end
end
return 0
`;

/**
 * KEYS: usage, holds; ARGV: cost, tokens, requests, refused (1/0), usageTtl, onlyIfUnseeded (1/0),
 * released hold ids…. Raises each counter to at least the given figure; answers 1 when it did.
 */
export const RAISE_SCRIPT = `
local unseeded = redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'unseeded') == 1
if ARGV[6] == '1' and not unseeded then return 0 end
local fields = { 'cost', 'tokens', 'requests' }
for i = 1, 3 do
  local figure = tonumber(ARGV[i])
  if figure > tonumber(redis.call('HGET', KEYS[1], fields[i]) or '0') then
    redis.call('HSET', KEYS[1], fields[i], string.format('%d', figure))
  end
end
for i = 7, #ARGV do
  local held = redis.call('HGET', KEYS[1], 'r:' .. ARGV[i])
  if held then
    redis.call('HINCRBY', KEYS[1], 'held', -tonumber(held))
    redis.call('HDEL', KEYS[1], 'r:' .. ARGV[i])
    redis.call('ZREM', KEYS[2], ARGV[i])
  end
end
if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'refused', '1') end
redis.call('HSET', KEYS[1], 'seeded', '1')
redis.call('HDEL', KEYS[1], 'unseeded')
local uttl = tonumber(ARGV[5])
if uttl > 0 then
  redis.call('PEXPIRE', KEYS[1], uttl)
  redis.call('PEXPIRE', KEYS[2], uttl)
end
return 1
`;

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');
const ADMIT_SHA = sha1(ADMIT_SCRIPT);
const SETTLE_SHA = sha1(SETTLE_SCRIPT);
const RAISE_SHA = sha1(RAISE_SCRIPT);

/** Options of {@link createRedisLimitStore}. */
export interface RedisLimitStoreOptions {
  readonly client: Redis;
  /** Prepended to every key (`PK_LIMITS_KEY_PREFIX`, default `pk:limits:`): tests use their own. */
  readonly prefix?: string;
  /**
   * Fails `admit` and `settle` at once while Redis hangs (default: a guard of its own), so requests
   * get the `on_store_failure` answer without waiting for a timeout each.
   */
  readonly guard?: RedisStallGuard;
}

type Reply = [Error | null, unknown][];

/**
 * Limits shared by every replica through Redis: each subject's check-and-hold is one Lua script
 * (atomic), the subjects of a request go in one pipeline (one round trip), and so do settlements.
 * A failed command throws: the caller decides (`on_store_failure`, see `limiter.ts`). After a command
 * times out, `admit` and `settle` throw at once for a while (see `createRedisStallGuard`).
 */
export function createRedisLimitStore(options: RedisLimitStoreOptions): LimitStore {
  const { client } = options;
  const prefix = options.prefix ?? 'pk:limits:';
  const guard = options.guard ?? createRedisStallGuard();
  const base = (subject: string) => `${prefix}{${subject}}`;
  const keysOf = (subject: string, periodId: string, windowIds: readonly string[]): string[] => [
    `${base(subject)}:u:${periodId}`,
    `${base(subject)}:h:${periodId}`,
    ...windowIds.map((id) => `${base(subject)}:w:${id}`),
  ];

  /** Runs the scripts in one pipeline; loads them once if Redis lost them (a restart). */
  const run = (calls: readonly { sha: string; keys: string[]; args: (string | number)[] }[]) =>
    guard.run(() => runNow(calls));
  const runNow = async (calls: readonly { sha: string; keys: string[]; args: (string | number)[] }[]) => {
    const send = async (): Promise<Reply> => {
      if (calls.length === 1) {
        // One subject (the common case): a plain EVALSHA, cheaper for the client than a pipeline.
        const call = calls[0] as (typeof calls)[number];
        try {
          return [[null, await client.evalsha(call.sha, call.keys.length, ...call.keys, ...call.args)]];
        } catch (error) {
          if ((error as Error).message.includes('NOSCRIPT')) return [[error as Error, null]];
          throw error;
        }
      }
      const pipeline = client.pipeline();
      for (const call of calls) pipeline.evalsha(call.sha, call.keys.length, ...call.keys, ...call.args);
      return ((await pipeline.exec()) ?? []) as Reply;
    };
    let replies = await send();
    if (replies.some(([error]) => error?.message.includes('NOSCRIPT'))) {
      await client.script('LOAD', ADMIT_SCRIPT);
      await client.script('LOAD', SETTLE_SCRIPT);
      await client.script('LOAD', RAISE_SCRIPT);
      replies = await send();
    }
    return replies.map(([error, value]) => {
      if (error) throw error;
      return value;
    });
  };

  const settleCall = (settlement: SubjectSettlement) => ({
    sha: SETTLE_SHA,
    keys: keysOf(
      settlement.subject,
      settlement.periodId,
      settlement.windows.map((window) => window.id),
    ),
    args: [
      settlement.reservationId,
      settlement.measure ?? '',
      settlement.alertAt ?? -1,
      Math.round(settlement.costMicros),
      Math.round(settlement.tokens),
      settlement.requests,
      settlement.usageTtlMs,
      settlement.windows.length,
      ...settlement.windows.flatMap((window) => [String(window.bucket), Math.round(window.delta)]),
    ],
  });

  return {
    kind: 'redis',
    async admit(holds, reservationId, nowMs, ttlMs) {
      const replies = await run(
        holds.map((hold) => ({
          sha: ADMIT_SHA,
          keys: keysOf(
            hold.subject,
            hold.periodId,
            hold.windows.map((window) => window.id),
          ),
          args: [
            Math.floor(nowMs),
            reservationId,
            ttlMs,
            hold.budget?.measure ?? '',
            hold.budget?.limit ?? 0,
            Math.ceil(hold.budget?.amount ?? 0),
            hold.usageTtlMs,
            hold.budget?.seedIfMissing ? 1 : 0,
            hold.windows.length,
            ...hold.windows.flatMap((window) => [window.windowMs, window.limit, Math.ceil(window.amount)]),
          ],
        })),
      );
      const verdicts = replies.map((reply): SubjectVerdict => {
        const values = reply as (string | number)[];
        if (values[0] === 'rate') {
          return {
            ok: false,
            kind: 'rate',
            window: Number(values[1]),
            retryAfterMs: Number(values[2]),
            used: Number(values[3]),
          };
        }
        if (values[0] === 'budget') return { ok: false, kind: 'budget', used: Number(values[3]) };
        if (values[0] === 'unseeded') return { ok: false, kind: 'unseeded' };
        const buckets: number[] = [];
        const windowsUsed: number[] = [];
        for (let index = 2; index < values.length; index += 2) {
          buckets.push(Number(values[index]));
          windowsUsed.push(Number(values[index + 1]));
        }
        return { ok: true, buckets, windowsUsed, budgetUsed: Number(values[1]) };
      });
      if (!verdicts.every((verdict) => verdict.ok)) {
        // Another subject refused: give back what these held (a second round trip, refusals only).
        const releases: SubjectSettlement[] = [];
        for (const [index, verdict] of verdicts.entries()) {
          if (verdict.ok) releases.push(releaseOf(holds[index] as SubjectHold, verdict, reservationId));
        }
        if (releases.length > 0) await run(releases.map(settleCall));
      }
      return verdicts;
    },
    async settle(settlements) {
      if (settlements.length === 0) return [];
      const replies = await run(settlements.map(settleCall));
      return replies.map((reply) => Number(reply) === 1);
    },
    async read(subject, periodId, nowMs): Promise<UsageFigures> {
      const [usageKey, holdsKey] = keysOf(subject, periodId, []) as [string, string];
      const [figures, live, exists] = await Promise.all([
        client.hmget(usageKey, 'cost', 'tokens', 'requests', 'refused', 'unseeded'),
        client.zrangebyscore(holdsKey, nowMs, '+inf'),
        client.exists(usageKey),
      ]);
      const amounts = live.length > 0 ? await client.hmget(usageKey, ...live.map((id) => `r:${id}`)) : [];
      return {
        costMicros: Number(figures[0] ?? 0),
        tokens: Number(figures[1] ?? 0),
        requests: Number(figures[2] ?? 0),
        held: amounts.reduce((sum, amount) => sum + Number(amount ?? 0), 0),
        budgetRefused: figures[3] === '1',
        // As the admission script tells a lost budget: no hash, or one a settlement made since.
        unseeded: exists === 0 || figures[4] === '1',
      };
    },
    async resetUsage(subject, periodId) {
      const [usageKey] = keysOf(subject, periodId, []) as [string];
      // One transaction: holds (`held`, `r:<id>`) stay for their requests to settle, and the
      // counters stay (at 0), so the next admission does not take them for lost and seed them again.
      const replies =
        (await client
          .multi()
          .hset(usageKey, { cost: 0, tokens: 0, requests: 0 })
          .hdel(usageKey, 'refused', 'alerted', 'unseeded')
          .exec()) ?? [];
      for (const [error] of replies) if (error) throw error;
    },
    async restoreUsage(subject, periodId, restored) {
      const [usageKey, holdsKey] = keysOf(subject, periodId, []) as [string, string];
      // One transaction: a concurrent admission sees the old figures or the new ones, never half.
      const transaction = client.multi().hset(usageKey, {
        cost: Math.round(restored.costMicros),
        tokens: Math.round(restored.tokens),
        requests: restored.requests,
      });
      if (restored.refused) transaction.hset(usageKey, 'refused', '1');
      else transaction.hdel(usageKey, 'refused');
      transaction.hdel(usageKey, 'unseeded');
      if (restored.usageTtlMs > 0) {
        transaction.pexpire(usageKey, restored.usageTtlMs);
        transaction.pexpire(holdsKey, restored.usageTtlMs);
      }
      const replies = (await transaction.exec()) ?? [];
      for (const [error] of replies) if (error) throw error;
    },
    async raiseUsage(subject, periodId, raised) {
      await run([
        {
          sha: RAISE_SHA,
          keys: keysOf(subject, periodId, []),
          args: [
            Math.round(raised.costMicros),
            Math.round(raised.tokens),
            raised.requests,
            raised.refused ? 1 : 0,
            raised.usageTtlMs,
            raised.onlyIfUnseeded ? 1 : 0,
            ...raised.releasedHolds,
          ],
        },
      ]);
    },
    async close() {
      client.disconnect();
    },
  };
}
