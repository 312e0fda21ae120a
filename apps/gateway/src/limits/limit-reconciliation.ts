import type { LimitSubject } from './limit-model.js';

/** Most subjects waiting to be reconciled; past it the oldest is given up (and said so). */
export const MAX_UNRECONCILED_SUBJECTS = 10_000;
/** Most holds remembered per subject; later ones are left to expire with their TTL. */
export const MAX_RELEASED_HOLDS = 1000;
/** First wait before reconciling, and the longest (doubling while the store keeps failing), ms. */
export const RECONCILE_FIRST_DELAY_MS = 1000;
export const RECONCILE_MAX_DELAY_MS = 30_000;

/** Options of {@link createSettlementReconciler}. */
export interface SettlementReconcilerOptions {
  /**
   * Brings a subject's counters in the shared store up to what the data store recorded and gives
   * back `holds` (their settlements never arrived); rejects while the store still fails.
   */
  readonly reconcile: (subject: LimitSubject, holds: readonly string[]) => Promise<void>;
  /** Told of a subject given up: too many waiting (the limit above). */
  readonly onDropped: (subject: LimitSubject) => void;
  readonly maxSubjects?: number;
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
}

/**
 * Settlements that did not reach the shared limits store (Redis failed or timed out) are not
 * replayed: a command that timed out may still have run (Redis runs what it received after a pause),
 * so a replay could count a request twice. Their usage is in the data store's `limit_spend` already
 * (it is recorded before the store is asked), so the subjects are remembered (bounded) and, once the
 * store answers, their counters are raised to what `limit_spend` holds, which is the same whether
 * the lost command ran or not, and their holds given back. Retried after 1 s, doubling up to 30 s.
 */
export function createSettlementReconciler(options: SettlementReconcilerOptions) {
  const maxSubjects = options.maxSubjects ?? MAX_UNRECONCILED_SUBJECTS;
  const firstDelayMs = options.firstDelayMs ?? RECONCILE_FIRST_DELAY_MS;
  const maxDelayMs = options.maxDelayMs ?? RECONCILE_MAX_DELAY_MS;
  /** Subject key → the subject and the holds of its lost settlements. */
  const waiting = new Map<string, { subject: LimitSubject; holds: Set<string> }>();
  let delayMs = firstDelayMs;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;

  const schedule = (): void => {
    if (timer !== undefined || closed || waiting.size === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = runOnce().finally(() => {
        running = undefined;
      });
    }, delayMs);
    timer.unref();
  };

  async function runOnce(): Promise<void> {
    let failed = false;
    for (const [key, entry] of [...waiting]) {
      const holds = [...entry.holds];
      try {
        await options.reconcile(entry.subject, holds);
        // Only what was reconciled leaves: settlements lost meanwhile wait for the next round.
        for (const hold of holds) entry.holds.delete(hold);
        if (entry.holds.size === 0 && waiting.get(key) === entry) waiting.delete(key);
      } catch {
        failed = true;
        break;
      }
    }
    delayMs = failed ? Math.min(maxDelayMs, delayMs * 2) : firstDelayMs;
    schedule();
  }

  return {
    /** Remembers `subjects` of a lost settlement of reservation `holdId`, to reconcile soon. */
    add(subjects: readonly LimitSubject[], holdId: string): void {
      if (closed) return;
      for (const subject of subjects) {
        let entry = waiting.get(subject.key);
        if (!entry) {
          if (waiting.size >= maxSubjects) {
            const [oldestKey, oldest] = waiting.entries().next().value as [
              string,
              { subject: LimitSubject; holds: Set<string> },
            ];
            waiting.delete(oldestKey);
            options.onDropped(oldest.subject);
          }
          entry = { subject, holds: new Set() };
          waiting.set(subject.key, entry);
        }
        if (entry.holds.size < MAX_RELEASED_HOLDS) entry.holds.add(holdId);
      }
      schedule();
    },
    /** Subjects waiting (tests, logs). */
    get size(): number {
      return waiting.size;
    },
    /** Stops the timer; waits for a round in progress. */
    async close(): Promise<void> {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

export type SettlementReconciler = ReturnType<typeof createSettlementReconciler>;
