import type { EnginePorts, SetTimerFunction, SleepFunction } from './ports.js';

/** `sleep` on the platform's timers: rejects with the signal's own reason (no costly new error). */
const sleep: SleepFunction = (ms, signal) => {
  if (signal === undefined) return new Promise((resolve) => setTimeout(resolve, ms));
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(handle);
      reject(signal.reason);
    };
    const handle = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
};

const setTimer: SetTimerFunction = (ms, fire) => {
  const handle = setTimeout(fire, ms);
  return () => clearTimeout(handle);
};

/**
 * The time and randomness ports on the real clock (`setTimeout`, `performance.now`, `Math.random`),
 * for callers of `runPlan` outside tests: `runPlan(plan, request, { ...realTimePorts, attempt })`.
 * The engine itself never uses them; tests pass a fake clock instead.
 */
export const realTimePorts: Pick<
  EnginePorts<unknown, unknown, unknown>,
  'sleep' | 'setTimer' | 'now' | 'random'
> = {
  sleep,
  setTimer,
  now: () => performance.now(),
  random: Math.random,
};
