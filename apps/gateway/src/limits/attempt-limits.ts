import { type AttemptFunction, type AttemptOptions, PkError, type PlanLeaf } from '@pk/config';
import type { ProviderAnswer, ProviderEndpoint, ProviderRequest, UpstreamError } from '@pk/providers';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { maxTokensFieldOf } from './estimate.js';
import { roomHeaders } from './limit-headers.js';
import { type LimitSubject, MICROS_PER_USD } from './limit-model.js';
import type { WindowRoom } from './limiter.js';
import {
  type AdmittedRequest,
  costBoundOfLeaf,
  countsTokens,
  logAdmitted,
  noteAdmitted,
  type RequestLimits,
  refusedAttemptOf,
} from './request-limits.js';
import { mayHaveBeenBilled } from './unknown-outcome.js';

type ProviderAttempt = AttemptFunction<ProviderRequest, ProviderAnswer, UpstreamError | PkError>;
type ProviderOutcome = Awaited<ReturnType<ProviderAttempt>>;

/** What the limits of one request's attempts are built from. */
export interface AttemptLimitsInput extends AdmittedRequest {
  readonly limits: RequestLimits;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly endpoint: ProviderEndpoint;
  /** Each target's virtual key limits, by plan path (undefined: no virtual key of the plan has any). */
  readonly targetSubjects: ReadonlyMap<string, LimitSubject> | undefined;
}

/** The tightest window of each measure among `rooms`. */
function tightest(rooms: readonly WindowRoom[]): WindowRoom[] {
  const byMeasure = new Map<WindowRoom['measure'], WindowRoom>();
  for (const room of rooms) {
    const known = byMeasure.get(room.measure);
    if (!known || room.remaining < known.remaining) byMeasure.set(room.measure, room);
  }
  return [...byMeasure.values()];
}

/**
 * The limits of a request's attempts, around the engine's `attempt` port the way hooks are
 * (`RequestGuard.wrapAttempt`): a target's virtual key is admitted when, and only when, that target is
 * about to be called, with that target's cost bound. A refusal is a failed attempt with the limit's
 * status and error, marked `notSent` (fallback moves on, loadbalance draws another target, no breaker
 * counts it); an attempt the provider refused gives its token and budget holds back at once, one that
 * was sent and never answered (timed out, hung up, reset: {@link mayHaveBeenBilled}) is charged its
 * holds; the one that answered is settled with its real usage when the request ends. The completion cap a token-counted
 * request needs is added here, under the field the target's provider takes.
 */
export class AttemptLimits {
  readonly #input: AttemptLimitsInput;
  /** The keys this request was already counted against: its later attempts under them count no request. */
  #counted: Set<string> | undefined;

  constructor(input: AttemptLimitsInput) {
    this.#input = input;
  }

  /** The engine's `attempt` with the limits around it (unchanged when no attempt has any). */
  wrap(attempt: ProviderAttempt): ProviderAttempt {
    const { targetSubjects, bounds } = this.#input;
    if (targetSubjects === undefined && bounds?.base.inject === undefined) return attempt;
    return (leaf, providerRequest, options) => this.#attempt(attempt, leaf, providerRequest, options);
  }

  async #attempt(
    attempt: ProviderAttempt,
    leaf: PlanLeaf,
    providerRequest: ProviderRequest,
    options: AttemptOptions,
  ): Promise<ProviderOutcome> {
    const { limits, state } = this.#input;
    const subject = this.#input.targetSubjects?.get(leaf.path);
    // Bounded by what this target sends: its `override_params` (model, max_tokens) over the body.
    const bound = this.#input.bounds?.of(leaf);
    const inject = bound?.inject;
    // The cap is added to what is sent, after the admission: a refused attempt was never sent.
    const capped = (): ProviderRequest =>
      inject !== undefined &&
      (this.#input.capEveryAttempt || (subject !== undefined && countsTokens(subject)))
        ? this.#withCap(leaf, providerRequest, inject.cap)
        : providerRequest;
    if (subject === undefined) return attempt(leaf, capped(), options);
    const tokens = bound === undefined ? 0 : bound.promptTokens + bound.completionTokens;
    const costMicros =
      bound !== undefined && subject.limits.budget?.measure === 'cost'
        ? Math.ceil(costBoundOfLeaf(limits, leaf, this.#input.body, bound) * MICROS_PER_USD)
        : 0;
    // A retry, or a fallback to another target on a key already admitted, is the same request: it
    // holds its tokens and cost again (as spent) but takes nothing more from request rates.
    const requests = this.#counted?.has(subject.key) === true ? 0 : 1;
    const admission = await limits.limiter.admit([subject], { tokens, costMicros, requests });
    if (!admission.ok) {
      const { refusal, failure } = refusedAttemptOf(subject, admission);
      state.refusedAttempts += 1;
      state.refusal = refusal;
      return failure;
    }
    this.#counted ??= new Set();
    this.#counted.add(subject.key);
    const { request, reply } = this.#input;
    noteAdmitted(state, [subject], admission);
    logAdmitted(request, state);
    if (admission.degraded) reply.header('x-pk-limits-degraded', 'local-share');
    // A call that was sent and never answered (a timeout, the client hanging up, a reset) may be
    // billed for all it was held for: the provider worked on it, and no usage of it is known.
    const held = { tokens, costMicros, counted: true };
    let outcome: ProviderOutcome;
    try {
      outcome = await attempt(leaf, capped(), options);
    } catch (error) {
      void limits.limiter.settle(admission.reservation, held);
      throw error;
    }
    if (!outcome.ok) {
      // A provider's refusal reports no usage and bills nothing; pk's own failure (a request it could
      // not translate) sent nothing: either way the token and budget holds come back now.
      void limits.limiter.settle(
        admission.reservation,
        mayHaveBeenBilled(outcome.error)
          ? held
          : { tokens: 0, costMicros: 0, counted: !(outcome.error instanceof PkError) },
      );
      return outcome;
    }
    state.answered.push({
      path: leaf.path,
      reservation: admission.reservation,
      promptTokens: bound?.promptTokens ?? state.promptTokens,
      reservedTokens: tokens,
      reservedCostMicros: costMicros,
    });
    reply.headers(roomHeaders(tightest([...state.rooms, ...admission.rooms])));
    return outcome;
  }

  /** The request with the default completion cap, under the field the target's provider takes. */
  #withCap(leaf: PlanLeaf, providerRequest: ProviderRequest, cap: number): ProviderRequest {
    const provider = typeof leaf.target.provider === 'string' ? leaf.target.provider : undefined;
    const field = maxTokensFieldOf(this.#input.endpoint, provider);
    if (field === undefined || providerRequest.body === undefined) return providerRequest;
    const warning = `${field}: ${cap} was added (a token limit or budget applies and the request set no completion cap; PK_LIMITS_DEFAULT_MAX_TOKENS)`;
    if (!this.#input.state.capWarnings.includes(warning)) this.#input.state.capWarnings.push(warning);
    return { ...providerRequest, body: { ...providerRequest.body, [field]: cap } };
  }

  /**
   * When the request ends with a refusal by a target's key: its headers (`Retry-After`, the limit's
   * `x-ratelimit-*`) and the log's `limits.refusedBy`, as a refusal before routing has.
   */
  static answerRefusal(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
    const refusal = request.limitState?.refusal;
    if (refusal === undefined || refusal.error !== error) return;
    reply.headers(refusal.headers);
    request.logFields.limits = {
      ...request.logFields.limits,
      refusedBy: refusal.refusedBy,
      reason: refusal.reason,
    };
  }
}
