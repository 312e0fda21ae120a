import {
  type AttemptFailure,
  PkError,
  type PlanLeaf,
  type ResolvedPlan,
  statusOfErrorCode,
} from '@pk/config';
import type { ProviderEndpoint, ProviderRequest } from '@pk/providers';
import type { GatewayKey, VirtualKey } from '@pk/store';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { sendPkError } from '../plugins/error-envelope.js';
import { planLeaves } from '../request-plan/map-plan-leaves.js';
import type { MetadataLimitRule } from '../settings/load-settings.js';
import type { TokenBound } from './estimate.js';
import { type LeafBounds, leafBoundsOf, sentModelOf } from './leaf-bounds.js';
import { refusalHeaders, roomHeaders } from './limit-headers.js';
import {
  compileLimits,
  escapeKeyPart,
  type LimitSubject,
  limitsOfRecord,
  MICROS_PER_USD,
} from './limit-model.js';
import type { Admission, Limiter, Reservation, WindowRoom } from './limiter.js';

/** What the proxy needs to apply limits; built once (`limits-from-environment.ts`). */
export interface RequestLimits {
  readonly limiter: Limiter;
  readonly metadataRules: readonly MetadataLimitRule[];
  /** Completion cap injected into a token- or budget-limited request without one. */
  readonly defaultMaxTokens: number;
  /**
   * The most a request can cost in USD, or null when the model has no price: the settings' price
   * table (`@pk/prices` with the `prices:` overrides), the one its cost is settled with.
   */
  readonly costBound: (
    provider: string,
    model: string,
    promptTokens: number,
    completionTokens: number,
  ) => number | null;
}

/** The most a request (or one attempt of it) was held for, and what settles it without usage. */
export interface UsageBound {
  /** The prompt's token bound (bytes of its text, `tokenBoundOf`), used when the provider reports no usage. */
  readonly promptTokens: number;
  readonly reservedTokens: number;
  readonly reservedCostMicros: number;
  /** Bytes of generated text streamed so far (tokens of an answer without usage). */
  streamedTextBytes: number;
}

/** An attempt admitted under its target's virtual key that answered: settled when the request ends. */
export interface AnsweredHold {
  readonly path: string;
  readonly reservation: Reservation;
  readonly promptTokens: number;
  readonly reservedTokens: number;
  readonly reservedCostMicros: number;
}

/** The refusal of an attempt by its target's key, answered as it is when the request ends with it. */
export interface AttemptRefusal {
  readonly error: PkError;
  readonly headers: Readonly<Record<string, string>>;
  readonly refusedBy: string;
  readonly reason: string;
}

/** What the settlement and the reply need of a request under some limit. */
export interface LimitState extends UsageBound {
  /** The holds of the request's own subjects (gateway key, metadata values), when it has any. */
  readonly reservation: Reservation | undefined;
  /** Attempts admitted under their virtual key that answered (the last one is the request's). */
  readonly answered: AnsweredHold[];
  /** The last attempt a target's key refused. */
  refusal: AttemptRefusal | undefined;
  /** Attempts refused by their key: no provider was called for them. */
  refusedAttempts: number;
  /** `x-pk-warnings` entries: the completion caps added to attempts. */
  readonly capWarnings: string[];
  /** Room left under the request's own subjects (for the `x-pk-ratelimit-*` headers). */
  readonly rooms: readonly WindowRoom[];
  /** What the log line says: the subjects admitted so far, with their budget use. */
  readonly subjects: string[];
  readonly budgetUsed: Record<string, number>;
  degraded: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the request was admitted under some limit; settled when it ends. */
    limitState: LimitState | null;
  }
}

declare module '../plugins/request-log.js' {
  interface RequestLogFields {
    /**
     * Limits: the subject that refused; the subjects the request was admitted under with their budget
     * use (settled + held, this request's hold included: USD or tokens); whether open limits were
     * checked locally because the store was down.
     */
    limits?: {
      refusedBy?: string;
      reason?: string;
      subjects?: readonly string[];
      budgetUsed?: Readonly<Record<string, number>>;
      degraded?: boolean;
    };
  }
}

function appended(list: LimitSubject[] | undefined, subject: LimitSubject): LimitSubject[] {
  if (!list) return [subject];
  list.push(subject);
  return list;
}

const metadataSubjects = new WeakMap<MetadataLimitRule, ReturnType<typeof compileLimits> | null>();
const trackedValues = new WeakMap<MetadataLimitRule, LRUCache<string, true>>();

/** The value spelled as the store key: beyond the rule's `max_values` live ones, all share `*`. */
export const OVERFLOW_VALUE = '*';

/**
 * The value a request is counted under. A process tracks at most `max_values` values of a rule that
 * were used within `idle_seconds`; a new value beyond that shares the one overflow counter (`*`)
 * with every other such value until some tracked value goes idle: memory and store keys stay
 * bounded, and spreading over many values does not escape the limit.
 */
function trackedValueOf(rule: MetadataLimitRule, tenantPart: string, value: string): string {
  let values = trackedValues.get(rule);
  if (!values) {
    values = new LRUCache<string, true>({ max: rule.maxValues, ttl: rule.idleMs, updateAgeOnGet: true });
    trackedValues.set(rule, values);
  }
  // Tracked per tenant: another tenant's `bob` is another value.
  const tracked = `${tenantPart}:${escapeKeyPart(value)}`;
  if (values.get(tracked)) return value;
  if (values.size >= rule.maxValues) {
    // The least recently used value: when even it is still live, every tracked value is.
    const oldest = values.rkeys().next().value;
    if (oldest !== undefined && values.getRemainingTTL(oldest) > 0) return OVERFLOW_VALUE;
    if (oldest !== undefined) values.delete(oldest);
  }
  values.set(tracked, true);
  return value;
}

/**
 * The limits a request is under as a whole: its gateway key's and the metadata rules whose key it
 * sends (a virtual key's are its targets', {@link targetSubjectsOf}). Undefined (no allocation) when
 * none applies.
 */
export function limitSubjectsOf(
  limits: RequestLimits,
  gatewayKey: GatewayKey | null,
  metadata: Readonly<Record<string, unknown>> | undefined,
  tenant: string,
): LimitSubject[] | undefined {
  let subjects: LimitSubject[] | undefined;
  const keyLimits = gatewayKey ? limitsOfRecord(gatewayKey) : undefined;
  if (gatewayKey && keyLimits)
    subjects = appended(subjects, {
      key: `gk:${gatewayKey.id}`,
      kind: 'api_key',
      label: gatewayKey.id,
      limits: keyLimits,
    });
  if (metadata && limits.metadataRules.length > 0) {
    let tenantPart: string | undefined;
    for (const rule of limits.metadataRules) {
      const value = metadata[rule.key];
      if (typeof value !== 'string' || value === '') continue;
      let ruleLimits = metadataSubjects.get(rule);
      if (ruleLimits === undefined) {
        ruleLimits = compileLimits(rule.rateLimits, rule.usageLimits) ?? null;
        metadataSubjects.set(rule, ruleLimits);
      }
      if (!ruleLimits) continue;
      // Portkey keeps metadata values to 128 characters. A value is counted within its tenant (as
      // its cache entries are): two tenants' `_user: bob` are two end users, neither spending the
      // other's limits.
      tenantPart ??= escapeKeyPart(tenant);
      const kept = trackedValueOf(rule, tenantPart, value.slice(0, 128));
      subjects = appended(subjects, {
        key: `md:${escapeKeyPart(rule.key)}:${tenantPart}:${escapeKeyPart(kept)}`,
        kind: 'metadata',
        label: `${rule.key}=${kept}`,
        limits: ruleLimits,
        idleMs: rule.idleMs,
      });
    }
  }
  return subjects;
}

/**
 * The limits of each target's virtual key, by plan path: admitted when (and only when) that target is
 * about to be called. Undefined when no virtual key of the plan has limits.
 */
export function targetSubjectsOf(
  limitedVirtualKeys: ReadonlyMap<VirtualKey, readonly string[]>,
): Map<string, LimitSubject> | undefined {
  let byPath: Map<string, LimitSubject> | undefined;
  for (const [virtualKey, paths] of limitedVirtualKeys) {
    const vkLimits = limitsOfRecord(virtualKey);
    if (!vkLimits) continue;
    const subject: LimitSubject = {
      key: `vk:${virtualKey.id}`,
      kind: 'virtual_key',
      label: virtualKey.slug,
      limits: vkLimits,
    };
    byPath ??= new Map();
    for (const path of paths) byPath.set(path, subject);
  }
  return byPath;
}

/** True when a subject counts tokens (a token window or any budget): its requests need a bound. */
export function countsTokens(subject: LimitSubject): boolean {
  return (
    subject.limits.budget !== undefined ||
    subject.limits.windows.some((window) => window.measure === 'tokens')
  );
}

function bodyBytesOf(request: FastifyRequest, body: unknown): number {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > 0) return declared;
  return Buffer.byteLength(JSON.stringify(body ?? {}));
}

/** The error code of a refusal. */
export function refusalCodeOf(
  reason: 'rate' | 'budget' | 'unavailable',
): 'PK_ERR_RATE_LIMITED' | 'PK_ERR_BUDGET_EXCEEDED' | 'PK_ERR_LIMITS_UNAVAILABLE' {
  return reason === 'rate'
    ? 'PK_ERR_RATE_LIMITED'
    : reason === 'budget'
      ? 'PK_ERR_BUDGET_EXCEEDED'
      : 'PK_ERR_LIMITS_UNAVAILABLE';
}

/**
 * An attempt its target's key refused: the refusal kept for the answer (when the request ends with
 * it) and the attempt's failure, not sent, with a rate's wait for a retry policy that honours it (a
 * budget's is its period's end).
 */
export function refusedAttemptOf(
  subject: LimitSubject,
  admission: Extract<Admission, { ok: false }>,
): { refusal: AttemptRefusal; failure: AttemptFailure<PkError> } {
  const code = refusalCodeOf(admission.reason);
  const error = new PkError(code, admission.message);
  return {
    refusal: { error, headers: refusalHeaders(admission), refusedBy: subject.key, reason: admission.reason },
    failure: {
      ok: false,
      status: statusOfErrorCode(code),
      error,
      notSent: true,
      ...(admission.reason !== 'budget' && admission.retryAfterMs >= 0
        ? { retryAfterMs: admission.retryAfterMs }
        : {}),
    },
  };
}

/** Writes what the log line says of the limits a request was admitted under. */
export function logAdmitted(
  request: FastifyRequest,
  state: Pick<LimitState, 'subjects' | 'budgetUsed' | 'degraded'>,
): void {
  request.logFields.limits = {
    subjects: state.subjects,
    budgetUsed: state.budgetUsed,
    ...(state.degraded ? { degraded: true } : {}),
  };
}

/** Notes a passing admission's subjects and their budget use (settled + held) in the state. */
export function noteAdmitted(
  state: Pick<LimitState, 'subjects' | 'budgetUsed' | 'degraded'>,
  subjects: readonly LimitSubject[],
  admission: Extract<Admission, { ok: true }>,
): void {
  for (const [index, subject] of subjects.entries()) {
    state.subjects.push(subject.key);
    const budget = subject.limits.budget;
    const used = admission.reservation.verdicts[index]?.budgetUsed;
    if (budget && used !== undefined)
      state.budgetUsed[subject.key] = budget.measure === 'cost' ? used / MICROS_PER_USD : used;
  }
  if (admission.degraded) state.degraded = true;
}

/** An admitted request, as its attempts' limits need it. */
export interface AdmittedRequest {
  readonly state: LimitState;
  /** The body the bounds were computed from (before each leaf's `override_params`). */
  readonly body: Readonly<Record<string, unknown>>;
  /**
   * The token bound of each attempt (of the body its leaf sends), when some subject of the request or
   * of its targets counts tokens.
   */
  readonly bounds: LeafBounds | undefined;
  /** The request's own subjects count tokens: every attempt gets the cap when the body names none. */
  readonly capEveryAttempt: boolean;
}

/**
 * Admits a request under its own limits (gateway key, metadata values) before anything is sent
 * upstream: holds its cost's upper bound (prompt ≤ bytes of its text, completion ≤ its cap, or the cap the
 * attempts will add when it names none), the largest of the plan's targets, each bounded by the body
 * it sends (its `override_params` over the client's: the model an image is billed by, the price), sets
 * the `x-pk-ratelimit-*` headers, and answers 429 / 412 / 503 itself on a refusal (then resolves to
 * undefined). Resolves to what its attempts need ({@link AttemptLimits}).
 */
export async function admitRequest(
  limits: RequestLimits,
  subjects: readonly LimitSubject[] | undefined,
  targetSubjects: ReadonlyMap<string, LimitSubject> | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
  endpoint: ProviderEndpoint,
  providerRequest: ProviderRequest,
  plan: ResolvedPlan,
): Promise<AdmittedRequest | undefined> {
  const body = (providerRequest.body ?? {}) as Record<string, unknown>;
  const requestCountsTokens = subjects?.some(countsTokens) === true;
  let targetsCountTokens = false;
  if (targetSubjects)
    for (const subject of targetSubjects.values()) targetsCountTokens ||= countsTokens(subject);
  const bounds =
    requestCountsTokens || targetsCountTokens
      ? leafBoundsOf(endpoint, body, bodyBytesOf(request, request.body), limits.defaultMaxTokens)
      : undefined;
  let promptTokens = bounds?.base.promptTokens ?? 0;
  let tokens = 0;
  let costMicros = 0;
  if (bounds && requestCountsTokens) {
    const countsCost = subjects?.some((subject) => subject.limits.budget?.measure === 'cost') === true;
    let most = 0;
    // The largest bound of the plan's targets (a fallback may answer).
    for (const leaf of planLeaves(plan.root)) {
      const bound = bounds.of(leaf);
      promptTokens = Math.max(promptTokens, bound.promptTokens);
      tokens = Math.max(tokens, bound.promptTokens + bound.completionTokens);
      if (countsCost) most = Math.max(most, costBoundOfLeaf(limits, leaf, body, bound));
    }
    costMicros = Math.ceil(most * MICROS_PER_USD);
  }
  const state: LimitState = {
    reservation: undefined,
    promptTokens,
    reservedTokens: tokens,
    reservedCostMicros: costMicros,
    streamedTextBytes: 0,
    answered: [],
    refusal: undefined,
    refusedAttempts: 0,
    capWarnings: [],
    rooms: [],
    subjects: [],
    budgetUsed: {},
    degraded: false,
  };
  if (subjects) {
    const admission = await limits.limiter.admit(subjects, { tokens, costMicros });
    if (!admission.ok) {
      const code = refusalCodeOf(admission.reason);
      request.logFields.errorCode = code;
      request.logFields.limits = { refusedBy: admission.subject.key, reason: admission.reason };
      reply.headers(refusalHeaders(admission));
      sendPkError(reply, request, code, admission.message);
      return undefined;
    }
    request.limitState = { ...state, reservation: admission.reservation, rooms: admission.rooms };
    reply.headers(roomHeaders(admission.rooms));
    noteAdmitted(request.limitState, subjects, admission);
    logAdmitted(request, request.limitState);
    if (admission.degraded) reply.header('x-pk-limits-degraded', 'local-share');
  } else {
    request.limitState = state;
  }
  return { state: request.limitState, body, bounds, capEveryAttempt: requestCountsTokens };
}

/**
 * The most a leaf's call can cost in USD: the price of the model it calls (its `override_params.model`,
 * else the body's) for `bound`, the bound of the body it sends; 0 without a price.
 */
export function costBoundOfLeaf(
  limits: RequestLimits,
  leaf: PlanLeaf,
  body: Readonly<Record<string, unknown>>,
  bound: TokenBound,
): number {
  const model = sentModelOf(leaf, body);
  const provider = leaf.target.provider;
  if (model === undefined || provider === undefined) return 0;
  return limits.costBound(provider, model, bound.promptTokens, bound.completionTokens) ?? 0;
}
