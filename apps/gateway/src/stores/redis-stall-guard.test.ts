import { describe, expect, it } from 'vitest';
import { createEventLoopStalls } from './event-loop-stalls.js';
import { createRedisStallGuard, isRedisTimeout, RedisStalledError } from './redis-stall-guard.js';

const timedOut = () => Promise.reject(new Error('Command timed out'));
const refused = () =>
  Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
const answer = () => Promise.resolve('OK');

function setUp() {
  let clock = 1_000_000;
  const guard = createRedisStallGuard({ now: () => clock });
  let calls = 0;
  const counted =
    <T>(command: () => Promise<T>) =>
    () => {
      calls += 1;
      return command();
    };
  return {
    guard,
    counted,
    calls: () => calls,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('createRedisStallGuard', () => {
  it('passes answers and fast failures through without pausing', async () => {
    const { guard, counted, calls } = setUp();
    await expect(guard.run(counted(answer))).resolves.toBe('OK');
    await expect(guard.run(counted(refused))).rejects.toThrow(/enableOfflineQueue/);
    await expect(guard.run(counted(refused))).rejects.toThrow(/enableOfflineQueue/);
    expect(guard.paused).toBe(false);
    expect(calls()).toBe(3);
  });

  it('after a timeout, fails at once without asking Redis for 1 s, then lets one probe through', async () => {
    const { guard, counted, calls, advance } = setUp();
    await expect(guard.run(counted(timedOut))).rejects.toThrow('Command timed out');
    expect(guard.paused).toBe(true);
    await expect(guard.run(counted(answer))).rejects.toBeInstanceOf(RedisStalledError);
    advance(999);
    await expect(guard.run(counted(answer))).rejects.toBeInstanceOf(RedisStalledError);
    expect(calls()).toBe(1);
    advance(1);
    let release: (value: string) => void = () => {};
    const probe = guard.run(counted(() => new Promise<string>((resolve) => (release = resolve))));
    // One probe at a time: the others still fail at once.
    await expect(guard.run(counted(answer))).rejects.toBeInstanceOf(RedisStalledError);
    expect(calls()).toBe(2);
    release('PONG');
    await expect(probe).resolves.toBe('PONG');
    expect(guard.paused).toBe(false);
    await expect(guard.run(counted(answer))).resolves.toBe('OK');
    expect(calls()).toBe(3);
  });

  it('doubles the pause for each probe that times out, up to 30 s, and a refused probe ends it', async () => {
    const { guard, counted, calls, advance } = setUp();
    await expect(guard.run(timedOut)).rejects.toThrow();
    for (const pause of [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]) {
      advance(pause - 1);
      await expect(guard.run(counted(timedOut))).rejects.toBeInstanceOf(RedisStalledError);
      advance(1);
      const before = calls();
      await expect(guard.run(counted(timedOut))).rejects.toThrow('Command timed out');
      expect(calls()).toBe(before + 1);
    }
    advance(30_000);
    await expect(guard.run(refused)).rejects.toThrow(/enableOfflineQueue/);
    expect(guard.paused).toBe(false);
  });

  it('recognises only ioredis’ command timeout as a stall', () => {
    expect(isRedisTimeout(new Error('Command timed out'))).toBe(true);
    expect(isRedisTimeout(new Error('connect ECONNREFUSED 127.0.0.1:6379'))).toBe(false);
    expect(isRedisTimeout('Command timed out')).toBe(false);
  });
});

describe('createRedisStallGuard and this process’s own stalls', () => {
  it('a timeout while the event loop was blocked fails that command only: no pause starts', async () => {
    let clock = 0;
    const loop = createEventLoopStalls({ now: () => clock });
    try {
      const guard = createRedisStallGuard({ now: () => clock, loop });
      // The loop is blocked 700 ms (a long synchronous task) while a command waits for its reply;
      // the command's timer fires first when the loop wakes up.
      const blocked = () => {
        clock += 700;
        return timedOut();
      };
      await expect(guard.run(blocked)).rejects.toThrow('Command timed out');
      expect(guard.paused).toBe(false);
      await expect(guard.run(answer)).resolves.toBe('OK');
      // The same when the sampler's timer ran before the command's (the stall is remembered).
      const sampledFirst = () => {
        clock += 700;
        loop.sample();
        clock += 5;
        return timedOut();
      };
      await expect(guard.run(sampledFirst)).rejects.toThrow('Command timed out');
      expect(guard.paused).toBe(false);
    } finally {
      loop.stop();
    }
  });

  it('a timeout while the loop was too busy for its timers (many short delays) is this process’s too', async () => {
    let clock = 0;
    const loop = createEventLoopStalls({ now: () => clock });
    try {
      const guard = createRedisStallGuard({ now: () => clock, loop });
      // A burst of requests: the 50 ms sampler runs every 110 ms, never 100 ms late, for 550 ms.
      const busy = () => {
        for (let tick = 0; tick < 5; tick += 1) {
          clock += 110;
          loop.sample();
        }
        return timedOut();
      };
      await expect(guard.run(busy)).rejects.toThrow('Command timed out');
      expect(guard.paused).toBe(false);
    } finally {
      loop.stop();
    }
  });

  it('a timeout while the loop ran freely is Redis’s: the pause starts', async () => {
    let clock = 0;
    const loop = createEventLoopStalls({ now: () => clock });
    try {
      const guard = createRedisStallGuard({ now: () => clock, loop });
      // The loop keeps ticking every 50 ms for the 500 ms the command waits.
      const slowRedis = () => {
        for (let tick = 0; tick < 10; tick += 1) {
          clock += 50;
          loop.sample();
        }
        return timedOut();
      };
      await expect(guard.run(slowRedis)).rejects.toThrow('Command timed out');
      expect(guard.paused).toBe(true);
      await expect(guard.run(answer)).rejects.toBeInstanceOf(RedisStalledError);
    } finally {
      loop.stop();
    }
  });
});
