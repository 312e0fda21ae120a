import { describe, expect, it } from 'vitest';
import { createFakeClock } from './fake-clock.js';

describe('fake clock', () => {
  it('fires timers in due order (ties in creation order) and jumps time only when idle', async () => {
    const clock = createFakeClock({ startMs: 100 });
    const fired: string[] = [];
    await Promise.all([
      clock.sleep(300).then(() => fired.push(`c@${clock.now()}`)),
      clock.sleep(100).then(() => fired.push(`a@${clock.now()}`)),
      clock.sleep(100).then(() => fired.push(`b@${clock.now()}`)),
    ]);
    expect(fired).toEqual(['a@200', 'b@200', 'c@400']);
  });

  it('lets chained work run before moving on: a timer set while handling an earlier one still counts', async () => {
    const clock = createFakeClock();
    const fired: number[] = [];
    const chain = clock.sleep(50).then(async () => {
      fired.push(clock.now());
      await clock.sleep(10);
      fired.push(clock.now());
    });
    const later = clock.sleep(100).then(() => fired.push(clock.now()));
    await Promise.all([chain, later]);
    expect(fired).toEqual([50, 60, 100]);
  });

  it('an aborted sleep rejects with the reason and forgets its timer', async () => {
    const clock = createFakeClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(1000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pendingTimers).toBe(0);
    await expect(clock.sleep(5, AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
    expect(clock.now()).toBe(0);
  });

  it('with autoAdvance off, only advance moves time', async () => {
    const clock = createFakeClock({ autoAdvance: false });
    let done = false;
    void clock.sleep(500).then(() => {
      done = true;
    });
    await clock.advance(499);
    expect([done, clock.now()]).toEqual([false, 499]);
    await clock.advance(1);
    expect([done, clock.now()]).toEqual([true, 500]);
  });
});
