/**
 * Where limit counters live: memory (one process) or Redis (every replica). The store knows sliding
 * windows, budget counters and holds; what a request costs and which limits apply is decided before
 * (see `limit-model.ts`). Amounts are integers: requests, tokens, or micro-USD.
 */

/** Buckets per window: a window of N ms is counted in N/60 ms buckets (see {@link windowBucketMs}). */
export const WINDOW_BUCKETS = 60;

/** The bucket width of a window. A window counts its current bucket and the 60 before it. */
export function windowBucketMs(windowMs: number): number {
  return windowMs / WINDOW_BUCKETS;
}

/** One sliding-window limit of a subject, with what this request takes from it. */
export interface WindowHold {
  /** `requests-rpm`, `tokens-rpd` …: the counter's name under its subject. */
  readonly id: string;
  readonly windowMs: number;
  readonly limit: number;
  readonly amount: number;
}

/** The budget of a subject and what this request holds against it. */
export interface BudgetHold {
  /** Which counter the budget is: `cost` (micro-USD) or `tokens`. */
  readonly measure: 'cost' | 'tokens';
  readonly limit: number;
  readonly amount: number;
  /**
   * The store answers `unseeded` instead of checking when it has no counters of this period, or only
   * the settlements that reached it since it lost them (a Redis restart, an eviction, a flush): the
   * limiter seeds them from the data store ({@link LimitStore.raiseUsage}) and asks again. Set only
   * when there is a data store to seed from.
   */
  readonly seedIfMissing?: boolean | undefined;
}

/** What one subject (a key, a metadata value) is asked to admit. */
export interface SubjectHold {
  /** The subject's store key: `vk:<record id>` (a slug for a file-managed key), `gk:<id>`, `md:<rule>:<tenant>:<value>` (already escaped). */
  readonly subject: string;
  readonly windows: readonly WindowHold[];
  /** The usage counters' period (`all`, `m2026-12` …) and how long they live (0: no expiry). */
  readonly periodId: string;
  readonly usageTtlMs: number;
  readonly budget?: BudgetHold | undefined;
}

/** A subject's answer. `windowsUsed` and `budgetUsed` include this request when admitted. */
export type SubjectVerdict =
  | {
      readonly ok: true;
      /** The bucket each window's amount went into (settlement corrects that bucket). */
      readonly buckets: readonly number[];
      readonly windowsUsed: readonly number[];
      /** Settled usage plus every hold of the budget's counter (0 without a budget). */
      readonly budgetUsed: number;
    }
  | {
      readonly ok: false;
      readonly kind: 'rate';
      /** Index of the refusing window in {@link SubjectHold.windows}. */
      readonly window: number;
      /** When the amount fits again; -1 when it never can (larger than the limit). */
      readonly retryAfterMs: number;
      readonly used: number;
    }
  | { readonly ok: false; readonly kind: 'budget'; readonly used: number }
  /** The budget's counters of the period are missing (see {@link BudgetHold.seedIfMissing}). */
  | { readonly ok: false; readonly kind: 'unseeded' };

/** How one subject's hold ends: windows corrected, budget hold replaced by the real usage. */
export interface SubjectSettlement {
  readonly subject: string;
  readonly reservationId: string;
  /** Window corrections: add `delta` to `bucket` (real tokens − reserved; −amount on a release). */
  readonly windows: readonly { readonly id: string; readonly bucket: number; readonly delta: number }[];
  readonly periodId: string;
  readonly usageTtlMs: number;
  /** The real usage recorded in the period's counters. */
  readonly costMicros: number;
  readonly tokens: number;
  readonly requests: number;
  /** The budget's counter, to tell when `alertAt` is first reached in the period. */
  readonly measure?: 'cost' | 'tokens' | undefined;
  readonly alertAt?: number | undefined;
}

/** A subject's counters for one period. */
export interface UsageFigures {
  readonly costMicros: number;
  readonly tokens: number;
  readonly requests: number;
  /** Amounts held by requests in flight. */
  readonly held: number;
  /**
   * The period's latest budget decision was a refusal: the last request checked against the budget
   * did not fit (the next one that fits clears it). A usage reset clears it too.
   */
  readonly budgetRefused: boolean;
  /**
   * The counters are missing (the store lost them: a restart without persistence, an eviction, a
   * flush), or were made again by a settlement since, and not seeded from the data store yet: the
   * figures are not the period's (the next admission of a budget seeds them). Always false in memory.
   */
  readonly unseeded: boolean;
}

/** What {@link LimitStore.restoreUsage} sets. */
export interface RestoredUsage {
  readonly costMicros: number;
  readonly tokens: number;
  readonly requests: number;
  /** The budget is used up: the key shows `exhausted` until a request fits (or a reset). */
  readonly refused: boolean;
  /** How long the counters live (0: no expiry), as in {@link SubjectHold.usageTtlMs}. */
  readonly usageTtlMs: number;
}

/** What {@link LimitStore.raiseUsage} brings a subject's counters up to. */
export interface RaisedUsage extends RestoredUsage {
  /** Only when the counters are missing or unseeded (seeding before an admission); else always. */
  readonly onlyIfUnseeded: boolean;
  /** Holds whose settlement never reached the store (their usage is in the figures): given back. */
  readonly releasedHolds: readonly string[];
}

export interface LimitStore {
  readonly kind: 'memory' | 'redis';
  /**
   * Admits a request against every subject, all or nothing: when one refuses, what the others
   * admitted is released. Holds expire after `ttlMs` if never settled (a crashed replica).
   * Redis: one round trip (one script per subject, pipelined), plus one to release on a refusal.
   */
  admit(
    holds: readonly SubjectHold[],
    reservationId: string,
    nowMs: number,
    ttlMs: number,
  ): Promise<SubjectVerdict[]>;
  /** Settles holds (one round trip); answers, per settlement, whether its alert threshold was first crossed now. */
  settle(settlements: readonly SubjectSettlement[], nowMs: number): Promise<boolean[]>;
  /** A subject's counters in a period (admin API `current_usage`). */
  read(subject: string, periodId: string, nowMs: number): Promise<UsageFigures>;
  /**
   * Starts a subject's period again (admin API `reset_usage`): settled spend, tokens and requests,
   * the refusal mark and the alert go back to none. Holds of requests in flight stay; they settle
   * into the new counters.
   */
  resetUsage(subject: string, periodId: string): Promise<void>;
  /**
   * Sets a subject's settled spend, tokens and requests in a period to figures recovered from the
   * data store (after a restart of the memory store, or when a limit's reset period changed), and
   * its refusal mark to `refused`. Holds of requests in flight stay.
   */
  restoreUsage(subject: string, periodId: string, spend: RestoredUsage): Promise<void>;
  /**
   * Raises a subject's settled spend, tokens and requests in a period to at least `usage` (each
   * counter to the larger of the two: never lowers what settled since), marks it refused when
   * `usage.refused`, gives back `releasedHolds`, and marks the counters seeded, in one atomic step:
   * two replicas raising at once leave the same figures as one. With `onlyIfUnseeded`, does nothing
   * to counters that are seeded. What seeds counters a store lost and reconciles settlements that
   * never reached it, from the data store's `limit_spend` (which recorded them first).
   */
  raiseUsage(subject: string, periodId: string, usage: RaisedUsage): Promise<void>;
  close(): Promise<void>;
}

/** The settlement that undoes an admitted hold (a refusal elsewhere, or nothing was used). */
export function releaseOf(
  hold: SubjectHold,
  verdict: Extract<SubjectVerdict, { ok: true }>,
  reservationId: string,
): SubjectSettlement {
  return {
    subject: hold.subject,
    reservationId,
    windows: hold.windows.map((window, index) => ({
      id: window.id,
      bucket: verdict.buckets[index] ?? 0,
      delta: -window.amount,
    })),
    periodId: hold.periodId,
    usageTtlMs: hold.usageTtlMs,
    costMicros: 0,
    tokens: 0,
    requests: 0,
  };
}
