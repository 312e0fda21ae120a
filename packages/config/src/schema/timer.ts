import { z } from 'zod';

/**
 * The longest timer a config or header may ask for: 24 h, in milliseconds. Node's timers hold at most
 * 2^31 − 1 ms (~24.8 days) and fire at once beyond it (an instant 408 or 504), and no model call is
 * meant to wait longer than a day, so anything above is refused rather than clamped.
 */
export const MAX_TIMER_MS = 86_400_000;

/** What every timer setting expects, in the words of its error message. */
export const TIMER_EXPECTATION = `expected a whole number of milliseconds from 1 to ${MAX_TIMER_MS} (24 h)`;

/** True for a timer value pk accepts: an integer number of milliseconds from 1 to {@link MAX_TIMER_MS}. */
export function isValidTimerMs(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= MAX_TIMER_MS;
}

/** `request_timeout` and `request_deadline`: milliseconds, 1 to 24 h. */
export const timerMsSchema = z
  .number({ error: TIMER_EXPECTATION })
  .int({ error: TIMER_EXPECTATION })
  .min(1, { error: TIMER_EXPECTATION })
  .max(MAX_TIMER_MS, { error: TIMER_EXPECTATION });
