import type { ResolvedPlan } from '@pk/config';
import type { ProviderEndpoint, ProviderRequest } from '@pk/providers';
import type { GatewayKey, VirtualKey } from '@pk/store';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { sendPkError } from '../plugins/error-envelope.js';
import { planLeaves } from '../request-plan/map-plan-leaves.js';
import type { MetadataLimitRule } from '../settings/load-settings.js';
import { tokenBoundOf } from './estimate.js';
import { refusalHeaders, roomHeaders } from './limit-headers.js';
import {
  compileLimits,
  escapeKeyPart,
  type LimitSubject,
  limitsOfRecord,
  MICROS_PER_USD,
} from './limit-model.js';
import type { Limiter, Reservation } from './limiter.js';

/** What the proxy needs to apply limits; built once (`limits-from-environment.ts`). */
export interface RequestLimits {
  readonly limiter: Limiter;
  readonly metadataRules: readonly MetadataLimitRule[];
  /** Completion cap injected into a token- or budget-limited request without one. */
  readonly defaultMaxTokens: number;
  /** Loads `@pk/prices` once: a promise the first limited request waits for, then undefined. */
  readonly loadPrices: () => Promise<void> | undefined;
  /** The most a request can cost in USD, or null when the model has no price (`@pk/prices`). */
  readonly costBound: (
    provider: string,
    model: string,
    promptTokens: number,
    completionTokens: number,
  ) => number | null;
}

/** What the settlement needs of an admitted request. */
export interface LimitState {
  readonly reservation: Reservation;
  /** The prompt's token bound (bytes of the body), used when the provider reports no usage. */
  readonly promptTokens: number;
  readonly reservedTokens: number;
  readonly reservedCostMicros: number;
  /** Bytes of generated text streamed so far (tokens of an answer without usage). */
  streamedTextBytes: number;
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
function trackedValueOf(rule: MetadataLimitRule, value: string): string {
  let values = trackedValues.get(rule);
  if (!values) {
    values = new LRUCache<string, true>({ max: rule.maxValues, ttl: rule.idleMs, updateAgeOnGet: true });
    trackedValues.set(rule, values);
  }
  if (values.get(value)) return value;
  if (values.size >= rule.maxValues) {
    // The least recently used value: when even it is still live, every tracked value is.
    const oldest = values.rkeys().next().value;
    if (oldest !== undefined && values.getRemainingTTL(oldest) > 0) return OVERFLOW_VALUE;
    if (oldest !== undefined) values.delete(oldest);
  }
  values.set(value, true);
  return value;
}

/**
 * The limits a request is under: its gateway key's, the limited virtual keys its plan uses, and the
 * metadata rules whose key it sends. Undefined (no allocation) when none applies.
 */
export function limitSubjectsOf(
  limits: RequestLimits,
  gatewayKey: GatewayKey | null,
  limitedVirtualKeys: ReadonlyMap<VirtualKey, readonly string[]> | undefined,
  metadata: Readonly<Record<string, unknown>> | undefined,
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
  if (limitedVirtualKeys) {
    for (const [virtualKey, paths] of limitedVirtualKeys) {
      const vkLimits = limitsOfRecord(virtualKey);
      if (vkLimits)
        subjects = appended(subjects, {
          key: `vk:${virtualKey.id}`,
          kind: 'virtual_key',
          label: virtualKey.slug,
          limits: vkLimits,
          paths,
        });
    }
  }
  if (metadata && limits.metadataRules.length > 0) {
    for (const rule of limits.metadataRules) {
      const value = metadata[rule.key];
      if (typeof value !== 'string' || value === '') continue;
      let ruleLimits = metadataSubjects.get(rule);
      if (ruleLimits === undefined) {
        ruleLimits = compileLimits(rule.rateLimits, rule.usageLimits) ?? null;
        metadataSubjects.set(rule, ruleLimits);
      }
      if (!ruleLimits) continue;
      // Portkey keeps metadata values to 128 characters.
      const kept = trackedValueOf(rule, value.slice(0, 128));
      subjects = appended(subjects, {
        key: `md:${escapeKeyPart(rule.key)}:${escapeKeyPart(kept)}`,
        kind: 'metadata',
        label: `${rule.key}=${kept}`,
        limits: ruleLimits,
        idleMs: rule.idleMs,
      });
    }
  }
  return subjects;
}

function bodyBytesOf(request: FastifyRequest, body: unknown): number {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > 0) return declared;
  return Buffer.byteLength(JSON.stringify(body ?? {}));
}

/**
 * Admits a request under its limits before anything is sent upstream: holds its cost's upper bound
 * (prompt ≤ body bytes, completion ≤ its cap, a cap injected when it names none), sets the
 * `x-pk-ratelimit-*` headers, and answers 429 / 412 / 503 itself on a refusal (then resolves to
 * undefined). Resolves to the provider request to send (with the injected cap, if any).
 */
export async function admitRequest(
  limits: RequestLimits,
  subjects: readonly LimitSubject[],
  request: FastifyRequest,
  reply: FastifyReply,
  endpoint: ProviderEndpoint,
  providerRequest: ProviderRequest,
  plan: ResolvedPlan,
): Promise<ProviderRequest | undefined> {
  const loading = limits.loadPrices();
  if (loading) await loading;
  const body = (providerRequest.body ?? {}) as Record<string, unknown>;
  const needsTokens = subjects.some(
    (subject) =>
      subject.limits.budget !== undefined ||
      subject.limits.windows.some((window) => window.measure === 'tokens'),
  );
  let tokens = 0;
  let costMicros = 0;
  let promptTokens = 0;
  let sent = providerRequest;
  if (needsTokens) {
    const bound = tokenBoundOf(endpoint, body, bodyBytesOf(request, request.body), limits.defaultMaxTokens);
    promptTokens = bound.promptTokens;
    tokens = bound.promptTokens + bound.completionTokens;
    if (bound.inject)
      sent = { ...providerRequest, body: { ...body, [bound.inject.field]: bound.inject.cap } };
    if (subjects.some((subject) => subject.limits.budget?.measure === 'cost')) {
      let most = 0;
      // The dearest target of the plan (a fallback may answer).
      for (const leaf of planLeaves(plan.root)) {
        const override = (leaf.target.override_params as { model?: unknown } | undefined)?.model;
        const model =
          typeof override === 'string' ? override : typeof body.model === 'string' ? body.model : undefined;
        const provider = leaf.target.provider;
        if (model === undefined || provider === undefined) continue;
        most = Math.max(
          most,
          limits.costBound(provider, model, bound.promptTokens, bound.completionTokens) ?? 0,
        );
      }
      costMicros = Math.ceil(most * MICROS_PER_USD);
    }
  }
  const admission = await limits.limiter.admit(subjects, { tokens, costMicros });
  if (!admission.ok) {
    const code =
      admission.reason === 'rate'
        ? 'PK_ERR_RATE_LIMITED'
        : admission.reason === 'budget'
          ? 'PK_ERR_BUDGET_EXCEEDED'
          : 'PK_ERR_LIMITS_UNAVAILABLE';
    request.logFields.errorCode = code;
    request.logFields.limits = { refusedBy: admission.subject.key, reason: admission.reason };
    reply.headers(refusalHeaders(admission));
    sendPkError(reply, request, code, admission.message);
    return undefined;
  }
  request.limitState = {
    reservation: admission.reservation,
    promptTokens,
    reservedTokens: tokens,
    reservedCostMicros: costMicros,
    streamedTextBytes: 0,
  };
  reply.headers(roomHeaders(admission.rooms));
  const budgetUsed: Record<string, number> = {};
  for (const [index, subject] of subjects.entries()) {
    const budget = subject.limits.budget;
    const used = admission.reservation.verdicts[index]?.budgetUsed;
    if (budget && used !== undefined)
      budgetUsed[subject.key] = budget.measure === 'cost' ? used / MICROS_PER_USD : used;
  }
  request.logFields.limits = {
    subjects: subjects.map((subject) => subject.key),
    budgetUsed,
    ...(admission.degraded ? { degraded: true } : {}),
  };
  if (admission.degraded) reply.header('x-pk-limits-degraded', 'local-share');
  return sent;
}
