import { describe, expect, it } from 'vitest';
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
