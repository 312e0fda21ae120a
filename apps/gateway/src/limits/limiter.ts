import { randomUUID } from 'node:crypto';
import { maskSlug } from '../settings/mask-slug.js';
import { type LimitSubject, MICROS_PER_USD } from './limit-model.js';
import {
  type LimitStore,
  releaseOf,
  type SubjectHold,
  type SubjectSettlement,
  type SubjectVerdict,
  windowBucketMs,
} from './limit-store.js';
import { budgetPeriodOf, usageTtlOf } from './periods.js';

/** What a request may take at most: reserved at admission, corrected at settlement. */
export interface RequestCost {
  readonly tokens: number;
  readonly costMicros: number;
  /**
   * How many requests this takes from request-rate windows and the period's request count: 1 (the
   * default), or 0 for a later attempt of a request already counted against the subject (a retry, a
   * fallback to another target on the same key): a request counts once, as Portkey counts it.
   */
  readonly requests?: 0 | 1 | undefined;
}

/** An admitted request's holds, to settle when it ends. */
export interface Reservation {
  readonly id: string;
  /** Which store holds it: the shared one, or this process's share while it was down. */
  readonly store: 'shared' | 'local';
  readonly subjects: readonly LimitSubject[];
  readonly holds: readonly SubjectHold[];
  readonly verdicts: readonly Extract<SubjectVerdict, { ok: true }>[];
  /** When it was admitted (epoch ms): its holds are in the budget periods of that time. */
  readonly atMs: number;
  /** Requests it counts in the period's usage when settled (see {@link RequestCost.requests}). */
  readonly requests: 0 | 1;
}

/** Remaining room of the tightest window of a measure, for the `x-ratelimit-*` style headers. */
export interface WindowRoom {
  readonly measure: 'requests' | 'tokens';
  readonly limit: number;
  readonly remaining: number;
  readonly resetMs: number;
}

export type Admission =
  | {
      readonly ok: true;
      readonly reservation: Reservation;
      readonly rooms: readonly WindowRoom[];
      /** Set when the shared store was down and open limits were checked against a local share. */
      readonly degraded: boolean;
    }
  | {
      readonly ok: false;
      readonly reason: 'rate' | 'budget' | 'unavailable';
      readonly subject: LimitSubject;
      /** Rate: the refusing window's room (remaining 0) and when it frees. */
      readonly rooms: readonly WindowRoom[];
      /**
       * When to try again; -1 when waiting does not help (a budget without a reset, a request larger
       * than a rate window's whole limit, any request under a limit of 0): no `Retry-After` then.
       */
      readonly retryAfterMs: number;
      readonly message: string;
    };

/** The real usage of a request, to settle its reservation. */
export interface ActualUsage {
  readonly tokens: number;
  readonly costMicros: number;
  /** False for a request refused before any provider call (nothing is recorded). */
  readonly counted: boolean;
  /**
   * Requests it counts in the usage figures (default 1); 0 for usage charged after the fact to a
   * request counted already ({@link Limiter.charge}).
   */
  readonly requests?: number;
}

/** A subject a charge left without room (its budget or a token window used up), or that refused it. */
export interface ChargeExhaustion {
  readonly subject: LimitSubject;
  readonly reason: 'rate' | 'budget' | 'unavailable';
  readonly message: string;
}

export interface LimiterOptions {
  readonly store: LimitStore;
  /** This process's store, used for open limits while `store` fails (memory; may be `store` itself). */
  readonly local: LimitStore;
  /** `PK_REPLICAS`: open limits serve limit ÷ replicas locally while the shared store is down. */
  readonly replicas: number;
  /** How long a hold lives if never settled (a crashed replica), ms. */
  readonly holdTtlMs: number;
  readonly now?: () => number;
  /** Told when the shared store fails (throttle the warning yourself). */
  readonly onStoreFailure: (error: unknown) => void;
  /**
   * Told of the usage charged to subjects when requests settle (not of releases), whichever store
   * held them: the data store keeps it per day (`limit-spend.ts`). Called before the store is.
   */
  readonly onCharged?: ((settlements: readonly SubjectSettlement[], nowMs: number) => void) | undefined;
  /** Told when a subject's usage first reaches its alert threshold in a period. */
  readonly onAlert: (subject: LimitSubject, periodId: string) => void;
  /**
   * Seeds the budget counters the shared store lost (a Redis restart, an eviction, a flush) from the
   * data store before they are checked: with it, the store answers `unseeded` for a budget whose
   * counters of the period are missing, and the request is checked again once they are seeded.
   */
  readonly seed?: ((subjects: readonly LimitSubject[], nowMs: number) => Promise<void>) | undefined;
  /**
   * Told of settlements that did not reach the shared store (it failed or timed out): their usage
   * is in the data store already (`onCharged`), and the subjects' counters are to be reconciled
   * from it once the store answers.
   */
  readonly onSettlementLost?:
    | ((reservation: Reservation, settlements: readonly SubjectSettlement[]) => void)
    | undefined;
}

const IDLE_DEFAULT_MS = 86_400_000;

/** How long a subject's counters live idle: a metadata value's (default a day); keys' do not expire idle. */
export function idleMsOf(subject: LimitSubject): number {
  return subject.kind === 'metadata' ? (subject.idleMs ?? IDLE_DEFAULT_MS) : 0;
}

function holdOf(
  subject: LimitSubject,
  cost: RequestCost,
  nowMs: number,
  share: number,
  seedIfMissing: boolean,
): SubjectHold {
  const { limits } = subject;
  const period = budgetPeriodOf(limits.usageLimits, nowMs);
  const usageTtlMs = usageTtlOf(period, nowMs, idleMsOf(subject));
  const budget = limits.budget;
  return {
    subject: subject.key,
    windows: limits.windows.map((window) => ({
      id: window.id,
      windowMs: window.windowMs,
      limit: Math.floor(window.limit / share),
      amount: window.measure === 'requests' ? (cost.requests ?? 1) : cost.tokens,
    })),
    periodId: period.id,
    usageTtlMs,
    ...(budget
      ? {
          budget: {
            measure: budget.measure,
            limit: Math.floor(budget.limit / share),
            amount: budget.measure === 'cost' ? cost.costMicros : cost.tokens,
            ...(seedIfMissing ? { seedIfMissing } : {}),
          },
        }
      : {}),
  };
}

function roomsOf(
  holds: readonly SubjectHold[],
  verdicts: readonly SubjectVerdict[],
  subjects: readonly LimitSubject[],
) {
  const rooms = new Map<'requests' | 'tokens', WindowRoom>();
  for (const [index, hold] of holds.entries()) {
    const verdict = verdicts[index];
    if (!verdict?.ok) continue;
    const windows = subjects[index]?.limits.windows ?? [];
    for (const [position, window] of hold.windows.entries()) {
      const measure = windows[position]?.measure ?? 'requests';
      const remaining = Math.max(0, window.limit - (verdict.windowsUsed[position] ?? 0));
      const known = rooms.get(measure);
      if (!known || remaining < known.remaining)
        rooms.set(measure, { measure, limit: window.limit, remaining, resetMs: window.windowMs });
    }
  }
  return [...rooms.values()];
}

/**
 * Admission and settlement of limits over a store: every subject's windows and budget checked and
 * held in one step, all or nothing; refusals name the subject; while the shared store fails, closed
 * limits refuse and open ones are checked against this process's share (limit ÷ replicas).
 */
export function createLimiter(options: LimiterOptions) {
  const now = options.now ?? Date.now;

  async function admitIn(
    store: LimitStore,
    subjects: readonly LimitSubject[],
    cost: RequestCost,
    share: number,
    kind: Reservation['store'],
    seeded = false,
  ): Promise<Admission> {
    const nowMs = now();
    const seedIfMissing = options.seed !== undefined && kind === 'shared' && !seeded;
    const holds = subjects.map((subject) => holdOf(subject, cost, nowMs, share, seedIfMissing));
    const id = randomUUID();
    const verdicts = await store.admit(holds, id, nowMs, options.holdTtlMs);
    const unseeded = subjects.filter((_, index) => {
      const verdict = verdicts[index];
      return verdict?.ok === false && verdict.kind === 'unseeded';
    });
    if (unseeded.length > 0 && options.seed) {
      // The store lost these budgets' counters: seeded from the data store, then asked once more.
      await options.seed(unseeded, nowMs);
      return admitIn(store, subjects, cost, share, kind, true);
    }
    const refusedAt = verdicts.findIndex((verdict) => !verdict.ok);
    if (refusedAt === -1) {
      return {
        ok: true,
        reservation: {
          id,
          store: kind,
          subjects,
          holds,
          verdicts: verdicts as Extract<SubjectVerdict, { ok: true }>[],
          atMs: nowMs,
          requests: cost.requests ?? 1,
        },
        rooms: roomsOf(holds, verdicts, subjects),
        degraded: kind === 'local',
      };
    }
    const subject = subjects[refusedAt] as LimitSubject;
    const verdict = verdicts[refusedAt] as Extract<SubjectVerdict, { ok: false }>;
    if (verdict.kind === 'unseeded') throw new Error('the limits store answered unseeded unasked');
    if (verdict.kind === 'budget') {
      const period = budgetPeriodOf(subject.limits.usageLimits, nowMs);
      const held = holds[refusedAt]?.budget;
      // A request larger than the whole budget fits in no period: waiting never helps, no Retry-After.
      const never = period.endMs === null || (held !== undefined && held.amount > held.limit);
      return {
        ok: false,
        reason: 'budget',
        subject,
        rooms: [],
        retryAfterMs: never ? -1 : (period.endMs as number) - nowMs,
        message: refusalMessage(
          subject,
          'budget',
          budgetRefusal(subjectName(subject), held, verdict.used) +
            (period.endMs === null ? '' : `; it resets at ${new Date(period.endMs).toISOString()}`),
        ),
      };
    }
    const window = subject.limits.windows[verdict.window];
    const hold = holds[refusedAt]?.windows[verdict.window];
    // A request larger than the window's whole limit (any request, under a limit of 0) is never
    // admitted, however long the client waits: no Retry-After.
    const never = verdict.retryAfterMs < 0;
    const limit = hold?.limit ?? window?.limit;
    return {
      ok: false,
      reason: 'rate',
      subject,
      rooms: window
        ? [
            {
              measure: window.measure,
              limit: limit ?? window.limit,
              remaining: 0,
              resetMs: never ? window.windowMs : verdict.retryAfterMs,
            },
          ]
        : [],
      retryAfterMs: never ? -1 : verdict.retryAfterMs,
      message: refusalMessage(
        subject,
        'rate',
        never
          ? limit === 0
            ? `the rate limit of ${subjectName(subject)} is 0 ${window?.measure ?? 'requests'} (${window?.unit}): it admits no request (raise the limit to use the key)`
            : `the request needs more ${window?.measure ?? 'requests'} than the ${window?.unit} limit of ${subjectName(subject)} allows (${limit}/${window?.unit}); it is never admitted`
          : `the ${window?.measure ?? 'request'} rate limit (${window?.limit}/${window?.unit}) of ${subjectName(subject)} was reached`,
      ),
    };
  }

  /** Checks and holds `cost` against every subject; never throws. */
  async function admit(subjects: readonly LimitSubject[], cost: RequestCost): Promise<Admission> {
    try {
      return await admitIn(options.store, subjects, cost, 1, 'shared');
    } catch (error) {
      if (options.store === options.local) throw error;
      options.onStoreFailure(error);
    }
    const closed = subjects.find(
      (subject) =>
        subject.limits.budget?.onStoreFailure === 'closed' ||
        subject.limits.windows.some((window) => window.onStoreFailure === 'closed'),
    );
    if (closed) {
      return {
        ok: false,
        reason: 'unavailable',
        subject: closed,
        rooms: [],
        retryAfterMs: 1000,
        message: `the limits of ${subjectName(closed)} cannot be checked (limits store unavailable) and are closed on failure`,
      };
    }
    return admitIn(options.local, subjects, cost, Math.max(1, options.replicas), 'local');
  }

  /** Replaces the holds by the real usage; the answer says which subjects first crossed their alert threshold. */
  async function settle(reservation: Reservation, actual: ActualUsage): Promise<void> {
    const settlements: SubjectSettlement[] = [];
    for (const [index, hold] of reservation.holds.entries()) {
      const subject = reservation.subjects[index] as LimitSubject;
      const verdict = reservation.verdicts[index] as Extract<SubjectVerdict, { ok: true }>;
      if (!actual.counted) {
        // No provider was called: token and budget holds are given back; the request still counts
        // against request rates (it was admitted).
        const release = releaseOf(hold, verdict, reservation.id);
        settlements.push({
          ...release,
          windows: release.windows.filter(
            (_, position) => subject.limits.windows[position]?.measure === 'tokens',
          ),
        });
        continue;
      }
      const budget = subject.limits.budget;
      settlements.push({
        subject: hold.subject,
        reservationId: reservation.id,
        windows: hold.windows.flatMap((window, position) =>
          subject.limits.windows[position]?.measure === 'tokens'
            ? [
                {
                  id: window.id,
                  bucket: verdict.buckets[position] ?? 0,
                  delta: actual.tokens - window.amount,
                },
              ]
            : [],
        ),
        periodId: hold.periodId,
        usageTtlMs: hold.usageTtlMs,
        costMicros: actual.costMicros,
        tokens: actual.tokens,
        // A later attempt of a request counted already counts none (`reservation.requests`); usage
        // charged after the fact counts what it says.
        requests: actual.requests ?? reservation.requests,
        ...(budget ? { measure: budget.measure, alertAt: budget.alertAt } : {}),
      });
    }
    const store = reservation.store === 'shared' ? options.store : options.local;
    const settledAt = now();
    if (options.onCharged) recordCharged(options.onCharged, reservation, settlements, settledAt);
    try {
      const alerted = await store.settle(settlements, settledAt);
      for (const [index, crossed] of alerted.entries()) {
        if (crossed) {
          const settlement = settlements[index] as SubjectSettlement;
          options.onAlert(reservation.subjects[index] as LimitSubject, settlement.periodId);
        }
      }
    } catch (error) {
      // The data store recorded the usage (`onCharged`, above): the subjects' counters are
      // reconciled from it once the store answers, and these holds given back then.
      options.onStoreFailure(error);
      options.onSettlementLost?.(reservation, settlements);
    }
  }

  /**
   * Charges usage a request reports after the fact, as it goes (each `response.done` of a Realtime
   * session, whose size nothing bounds at admission), counting no request: its tokens go into the
   * token windows' current bucket and its spend into the budgets, whatever room they had (the
   * provider billed it already). Answers the first subject this leaves without room (its budget or
   * a token window used up), or that could not take it (already over, or its store down and closed
   * on failure): the request is to end then.
   */
  async function charge(
    subjects: readonly LimitSubject[],
    cost: RequestCost,
  ): Promise<ChargeExhaustion | undefined> {
    // Only what counts tokens or spend is charged; request windows counted the request when it came.
    const charged: LimitSubject[] = [];
    for (const subject of subjects) {
      if (subject.limits.budget === undefined && !subject.limits.windows.some(isTokenWindow)) continue;
      charged.push({
        ...subject,
        limits: { ...subject.limits, windows: subject.limits.windows.filter(isTokenWindow) },
      });
    }
    if (charged.length === 0) return undefined;
    const usage: ActualUsage = {
      tokens: cost.tokens,
      costMicros: cost.costMicros,
      counted: true,
      requests: 0,
    };
    // Held at 0: the windows' current buckets exist afterwards, so the settlement adds the tokens there.
    const admission = await admit(charged, { tokens: 0, costMicros: 0 });
    if (!admission.ok) {
      // Already over (another request crossed it) or not checkable: charged all the same.
      await settle(unheldReservationOf(charged, now()), usage);
      return {
        subject: admission.subject,
        reason: admission.reason,
        message:
          admission.reason === 'unavailable'
            ? admission.message
            : refusalMessage(
                admission.subject,
                admission.reason,
                exhaustedDetail(admission.subject, admission.reason),
              ),
      };
    }
    await settle(admission.reservation, usage);
    const { holds, verdicts } = admission.reservation;
    for (const [index, subject] of charged.entries()) {
      const hold = holds[index] as SubjectHold;
      const verdict = verdicts[index] as Extract<SubjectVerdict, { ok: true }>;
      const budget = hold.budget;
      const spent = budget?.measure === 'cost' ? cost.costMicros : cost.tokens;
      if (budget && verdict.budgetUsed + spent >= budget.limit)
        return {
          subject,
          reason: 'budget',
          message: refusalMessage(subject, 'budget', exhaustedDetail(subject, 'budget')),
        };
      for (const [position, window] of hold.windows.entries()) {
        if ((verdict.windowsUsed[position] ?? 0) + cost.tokens >= window.limit)
          return {
            subject,
            reason: 'rate',
            message: refusalMessage(subject, 'rate', exhaustedDetail(subject, 'rate')),
          };
      }
    }
    return undefined;
  }

  /** A reservation holding nothing, in the current buckets and periods: settling it only charges. */
  function unheldReservationOf(subjects: readonly LimitSubject[], nowMs: number): Reservation {
    const holds = subjects.map((subject) => holdOf(subject, { tokens: 0, costMicros: 0 }, nowMs, 1, false));
    return {
      id: randomUUID(),
      store: 'shared',
      subjects,
      holds,
      requests: 0,
      verdicts: holds.map((hold) => ({
        ok: true,
        buckets: hold.windows.map((window) => Math.floor(nowMs / windowBucketMs(window.windowMs))),
        windowsUsed: [],
        budgetUsed: 0,
      })),
      atMs: nowMs,
    };
  }

  return { admit, settle, charge };
}

function isTokenWindow(window: LimitSubject['limits']['windows'][number]): boolean {
  return window.measure === 'tokens';
}

/** Why a charge left a subject without room: its budget, or its (first) token window. */
function exhaustedDetail(subject: LimitSubject, reason: 'rate' | 'budget'): string {
  if (reason === 'budget')
    return `the budget of ${subjectName(subject)} is exhausted${subject.limits.budget?.measure === 'tokens' ? ' (tokens)' : ''}`;
  const window = subject.limits.windows.find(isTokenWindow);
  return `the tokens rate limit${window ? ` (${window.limit}/${window.unit})` : ''} of ${subjectName(subject)} was reached`;
}

export type Limiter = ReturnType<typeof createLimiter>;

const DAY_MS = 86_400_000;

/**
 * Tells `onCharged` of settlements on the day each is counted in: the day it settled, unless its
 * budget period reset since it was admitted (a stream across midnight on the 1st). Its counters
 * charge the period it was held in, so its spend goes on that period's last day: recorded on the
 * settling day, a restart (or a Redis that lost the counters) would charge it to the new period too.
 */
function recordCharged(
  onCharged: NonNullable<LimiterOptions['onCharged']>,
  reservation: Reservation,
  settlements: readonly SubjectSettlement[],
  settledAt: number,
): void {
  // Every period starts at a UTC midnight: settled the day it was admitted, it is in its period.
  if (Math.floor(settledAt / DAY_MS) === Math.floor(reservation.atMs / DAY_MS)) {
    onCharged(settlements, settledAt);
    return;
  }
  const onTime: SubjectSettlement[] = [];
  for (const [index, settlement] of settlements.entries()) {
    const subject = reservation.subjects[index] as LimitSubject;
    const { endMs } = budgetPeriodOf(subject.limits.usageLimits, reservation.atMs);
    if (endMs !== null && settledAt >= endMs) onCharged([settlement], endMs - 1);
    else onTime.push(settlement);
  }
  if (onTime.length > 0) onCharged(onTime, settledAt);
}

/** How refusals name a subject (Portkey masks virtual key slugs the same way). */
export function subjectName(subject: LimitSubject): string {
  if (subject.kind === 'virtual_key') return `virtual key ${maskSlug(subject.label)}`;
  if (subject.kind === 'api_key') return `gateway key ${subject.label}`;
  return `metadata ${subject.label}`;
}

/**
 * A refusal's message: for a virtual key, Portkey's own sentence first (`Portkey Virtual Key
 * op********1a2 Rate Limit Exceeded`, `… Usage Limit Exceeded`, the start of its 429 and 412
 * messages, which clients written for Portkey may match), then what pk knows of the limit. Other
 * subjects' refusals are pk's detail alone: Portkey answers an API key's in another envelope
 * (decision 0004), and metadata limits are pk's own.
 */
export function refusalMessage(subject: LimitSubject, reason: 'rate' | 'budget', detail: string): string {
  if (subject.kind !== 'virtual_key') return detail;
  const what = reason === 'rate' ? 'Rate Limit Exceeded' : 'Usage Limit Exceeded';
  return `Portkey Virtual Key ${maskSlug(subject.label)} ${what}: ${detail}`;
}

/**
 * Why a budget refused: exhausted, or (with room left) this request's hold, the most it may cost
 * (its prompt and `max_tokens`), does not fit in what remains.
 */
export function budgetRefusal(
  name: string,
  held: { readonly measure: 'cost' | 'tokens'; readonly limit: number; readonly amount: number } | undefined,
  used: number,
): string {
  if (held === undefined || used >= held.limit) {
    return `the budget of ${name} is exhausted${held?.measure === 'tokens' ? ' (tokens)' : ''}`;
  }
  const amount = (value: number): string =>
    held.measure === 'tokens'
      ? `${value.toLocaleString('en-US')} tokens`
      : `$${(value / MICROS_PER_USD).toFixed(value < 10_000 ? 6 : 4)}`;
  return (
    `the budget of ${name} cannot hold this request: it may use up to ${amount(held.amount)} ` +
    `(its prompt and max_tokens), and ${amount(held.limit - used)} of ${amount(held.limit)} remain: ` +
    'set a smaller max_tokens to fit'
  );
}
