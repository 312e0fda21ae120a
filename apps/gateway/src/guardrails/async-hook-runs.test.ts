import type { HookResult } from '@pk/guardrails';
import { describe, expect, it } from 'vitest';
import { AsyncHookRuns, asyncHookRunsFor, asyncHookRunsOf } from './async-hook-runs.js';

const result = (id: string) => ({ id, verdict: false, async: true }) as unknown as HookResult;

/** A run the test finishes by hand. */
function heldRun(): { run: Promise<HookResult | undefined>; finish(value: HookResult | undefined): void } {
  let finish: (value: HookResult | undefined) => void = () => {};
  const run = new Promise<HookResult | undefined>((resolve) => {
    finish = resolve;
  });
  return { run, finish };
}

describe('AsyncHookRuns', () => {
  it('settles once every run has finished, runs added meanwhile included, keeping the results in finishing order', async () => {
    const runs = new AsyncHookRuns();
    const first = heldRun();
    const second = heldRun();
    runs.add(first.run, 'before_request');
    let settled = false;
    const waiting = runs.settled(10_000).then(() => {
      settled = true;
    });
    runs.add(second.run, 'after_request');
    expect(runs.pending).toBe(2);
    first.finish(result('a'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled).toBe(false);
    // A run that could not run leaves no result.
    const third = heldRun();
    runs.add(third.run, 'after_request');
    second.finish(result('b'));
    third.finish(undefined);
    await waiting;
    expect(runs.pending).toBe(0);
    expect(runs.finished().map(({ event, result }) => [event, result.id])).toEqual([
      ['before_request', 'a'],
      ['after_request', 'b'],
    ]);
  });

  it('stops waiting after the timeout, with what finished so far', async () => {
    const runs = new AsyncHookRuns();
    runs.add(heldRun().run, 'before_request');
    await runs.settled(20);
    expect(runs.pending).toBe(1);
    expect(runs.finished()).toEqual([]);
    expect(await new AsyncHookRuns().settled(10_000)).toBeUndefined();
  });

  it('is made per request on its first async hook', () => {
    const request = {};
    expect(asyncHookRunsOf(request)).toBeUndefined();
    const runs = asyncHookRunsFor(request);
    expect(asyncHookRunsFor(request)).toBe(runs);
    expect(asyncHookRunsOf(request)).toBe(runs);
    expect(asyncHookRunsOf({})).toBeUndefined();
  });
});
