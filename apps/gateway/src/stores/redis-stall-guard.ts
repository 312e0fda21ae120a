import { type EventLoopStalls, eventLoopStalls } from './event-loop-stalls.js';

/** First pause after a Redis command times out: the store counts as down this long (ms). */
export const REDIS_STALL_FIRST_PAUSE_MS = 1000;
/** Longest pause: each probe that times out again doubles the pause up to this (ms). */
export const REDIS_STALL_MAX_PAUSE_MS = 30_000;

/** What a command sent through a paused {@link RedisStallGuard} rejects with, at once. */
export class RedisStalledError extends Error {
  constructor() {
    super('Redis timed out recently; not asked again until a probe answers');
    this.name = 'RedisStalledError';
  }
}

/** True for ioredis' `commandTimeout` rejection (the command was sent and Redis did not answer). */
export function isRedisTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Command timed out';
}

/** Options of {@link createRedisStallGuard}. */
export interface RedisStallGuardOptions {
  readonly now?: () => number;
  readonly firstPauseMs?: number;
  readonly maxPauseMs?: number;
  /** This process's event-loop stalls (default: the process's sampler). */
  readonly loop?: EventLoopStalls;
}

/** See {@link createRedisStallGuard}. */
export interface RedisStallGuard {
  /** Runs `command`, or rejects with {@link RedisStalledError} at once while Redis counts as stalled. */
  run<T>(command: () => Promise<T>): Promise<T>;
  /** True while commands are refused (for tests and logs). */
  readonly paused: boolean;
}

/**
 * A Redis that is stopped refuses connections and every command fails at once; a Redis that hangs
 * (a partition, an overloaded primary) leaves every command to wait for its timeout. After a command
 * times out this guard treats that Redis as down for a pause (1 s, doubling while it stays hung, up
 * to 30 s): commands then fail at once with {@link RedisStalledError}, so callers take their
 * documented down path without waiting. When the pause is over one command at a time is let through
 * as a probe (the others still fail at once); any answer, even an error reply or a refused
 * connection, ends the pause at once, another timeout doubles it. A timeout while this process's
 * own event loop was blocked for most of the wait (a long synchronous task, a GC pause) says nothing
 * about Redis: its reply may have come in time and waited to be read. It fails that command only:
 * no pause starts, and a probe that meets one neither doubles the pause nor ends it.
 */
export function createRedisStallGuard(options: RedisStallGuardOptions = {}): RedisStallGuard {
  const now = options.now ?? Date.now;
  const firstPauseMs = options.firstPauseMs ?? REDIS_STALL_FIRST_PAUSE_MS;
  const maxPauseMs = options.maxPauseMs ?? REDIS_STALL_MAX_PAUSE_MS;
  /** 0 while Redis answers; else the length of the current pause. */
  let pauseMs = 0;
  let pausedUntil = 0;
  let probing = false;
  const loop = options.loop ?? eventLoopStalls();

  async function probe<T>(command: () => Promise<T>): Promise<T> {
    probing = true;
    const mark = loop.mark();
    try {
      const value = await command();
      pauseMs = 0;
      return value;
    } catch (error) {
      if (isRedisTimeout(error) && loop.ownStall(mark)) {
        // Nothing learnt about Redis: the next command probes again.
      } else if (isRedisTimeout(error)) {
        pauseMs = Math.min(maxPauseMs, pauseMs * 2);
        pausedUntil = now() + pauseMs;
      } else {
        pauseMs = 0;
      }
      throw error;
    } finally {
      probing = false;
    }
  }

  return {
    get paused() {
      return pauseMs !== 0;
    },
    async run(command) {
      if (pauseMs !== 0) {
        if (probing || now() < pausedUntil) throw new RedisStalledError();
        return probe(command);
      }
      const mark = loop.mark();
      try {
        return await command();
      } catch (error) {
        // Commands sent together all time out together: the first one starts the pause.
        if (pauseMs === 0 && isRedisTimeout(error) && !loop.ownStall(mark)) {
          pauseMs = firstPauseMs;
          pausedUntil = now() + pauseMs;
        }
        throw error;
      }
    },
  };
}
