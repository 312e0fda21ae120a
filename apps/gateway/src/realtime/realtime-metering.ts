import type { AttemptFailure, PkError } from '@pk/config';
import type { VirtualKey } from '@pk/store';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { refusalHeaders, roomHeaders } from '../limits/limit-headers.js';
import { type LimitSubject, MICROS_PER_USD } from '../limits/limit-model.js';
import type { Admission, ChargeExhaustion, Reservation, WindowRoom } from '../limits/limiter.js';
import {
  type AttemptRefusal,
  limitSubjectsOf,
  logAdmitted,
  noteAdmitted,
  type RequestLimits,
  refusalCodeOf,
  refusedAttemptOf,
  targetSubjectsOf,
} from '../limits/request-limits.js';
import { sendPkError } from '../plugins/error-envelope.js';

/**
 * The WebSocket close code a session ended by a limit gets: 4000 + the HTTP status a request refused
 * by the same limit gets (decision 0012): 4412 a budget used up, 4429 a token rate limit reached,
 * 4503 a limit closed on failure whose store is down.
 */
export const LIMIT_CLOSE_CODES = { budget: 4412, rate: 4429, unavailable: 4503 } as const;

/** The close frame's reason (at most 123 bytes): what ended the session. */
export const LIMIT_CLOSE_REASONS = {
  budget: 'budget exhausted',
  rate: 'token rate limit reached',
  unavailable: 'limits unavailable',
} as const;

/** A subject's hold of one attempt, settled when that attempt ends. */
export interface AttemptHold {
  /** The attempt ended: `providerAnswered` (its own answer to the upgrade) counts it as a call. */
  ended(providerAnswered: boolean): void;
}

/**
 * The limits of one Realtime session (decision 0012): admitted as any request before its plan runs
 * (its gateway key's and metadata values' limits; the request rates count it; an exhausted budget or a
 * full token window refuses it), each target's virtual key admitted when, and only when, that target's
 * socket is about to be opened (a retry or a fallback on a key already admitted counts no request
 * again, as for HTTP requests); then each `response.done`'s tokens and spend are charged as it arrives,
 * to the session's subjects and the virtual key of the target that opened. {@link charge} answers the
 * limit a response left without room: the session is to end then.
 */
export class SessionMeter {
  readonly #limits: RequestLimits;
  readonly #requestSubjects: readonly LimitSubject[];
  readonly #targetSubjects: ReadonlyMap<string, LimitSubject> | undefined;
  readonly #request: FastifyRequest;
  readonly #reply: FastifyReply;
  #reservation: Reservation | undefined;
  #subjects: readonly LimitSubject[] = [];
  /** The keys an attempt was admitted under: a later attempt under one counts no request. */
  readonly #admitted = new Set<string>();
  readonly #noted = { subjects: [] as string[], budgetUsed: {} as Record<string, number>, degraded: false };
  #rooms: WindowRoom[] = [];
  /** The refusal of the last attempt a target's key refused, for the answer when it is the plan's. */
  #refusal: AttemptRefusal | undefined;
  /** Charges in order, one at a time (a store round trip each). */
  #charges: Promise<unknown> = Promise.resolve();

  private constructor(
    limits: RequestLimits,
    requestSubjects: readonly LimitSubject[],
    targetSubjects: ReadonlyMap<string, LimitSubject> | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    this.#limits = limits;
    this.#requestSubjects = requestSubjects;
    this.#targetSubjects = targetSubjects;
    this.#request = request;
    this.#reply = reply;
  }

  /**
   * Admits a session under its gateway key's and its metadata values' limits with a hold of one token
   * and one micro-dollar: what an exhausted budget or a full token window refuses. Resolves to
   * undefined when no limit applies (nor any to a target's virtual key); answers a refusal itself
   * (429 / 412 / 503, headers and log as any request's), resolving to `'refused'`.
   */
  static async admit(
    limits: RequestLimits | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
    metadata: Readonly<Record<string, unknown>> | undefined,
    limitedVirtualKeys: ReadonlyMap<VirtualKey, readonly string[]> | undefined,
  ): Promise<SessionMeter | 'refused' | undefined> {
    if (limits === undefined) return undefined;
    const subjects = limitSubjectsOf(limits, request.gatewayKey, metadata, request.tenant) ?? [];
    const targets = limitedVirtualKeys && targetSubjectsOf(limitedVirtualKeys);
    if (subjects.length === 0 && targets === undefined) return undefined;
    const meter = new SessionMeter(limits, subjects, targets, request, reply);
    if (subjects.length === 0) return meter;
    const admission = await limits.limiter.admit(subjects, { tokens: 1, costMicros: 1 });
    if (!admission.ok) {
      const code = refusalCodeOf(admission.reason);
      request.logFields.errorCode = code;
      request.logFields.limits = { refusedBy: admission.subject.key, reason: admission.reason };
      reply.headers(refusalHeaders(admission));
      sendPkError(reply, request, code, admission.message);
      return 'refused';
    }
    meter.#reservation = admission.reservation;
    meter.#noteAdmission(subjects, admission);
    return meter;
  }

  #noteAdmission(subjects: readonly LimitSubject[], admission: Extract<Admission, { ok: true }>): void {
    noteAdmitted(this.#noted, subjects, admission);
    logAdmitted(this.#request, this.#noted);
    this.#rooms.push(...admission.rooms);
    this.#reply.headers(roomHeaders(tightest(this.#rooms)));
    if (admission.degraded) this.#reply.header('x-pk-limits-degraded', 'local-share');
  }

  /**
   * Admits the attempt of the target at `path` under its virtual key's limits (a hold of one token and
   * one micro-dollar), if it has any: resolves to its hold, or to the failed attempt a refusal is
   * (the limit's status and error, `notSent`: fallback moves on, loadbalance draws another target).
   */
  async admitAttempt(path: string): Promise<AttemptHold | AttemptFailure<PkError>> {
    const subject = this.#targetSubjects?.get(path);
    if (subject === undefined) return { ended: () => undefined };
    const requests = this.#admitted.has(subject.key) ? 0 : 1;
    const admission = await this.#limits.limiter.admit([subject], { tokens: 1, costMicros: 1, requests });
    if (!admission.ok) {
      const { refusal, failure } = refusedAttemptOf(subject, admission);
      this.#refusal = refusal;
      return failure;
    }
    this.#admitted.add(subject.key);
    this.#noteAdmission([subject], admission);
    const limiter = this.#limits.limiter;
    return {
      ended: (providerAnswered) =>
        void limiter.settle(admission.reservation, { tokens: 0, costMicros: 0, counted: providerAnswered }),
    };
  }

  /**
   * When the session's plan ends with a refusal by a target's key: its headers (`Retry-After`, the
   * limit's `x-ratelimit-*`) and the log's `limits.refusedBy`, as a refusal before routing has.
   */
  answerRefusal(error: unknown): void {
    const refusal = this.#refusal;
    if (refusal === undefined || refusal.error !== error) return;
    this.#reply.headers(refusal.headers);
    this.#request.logFields.errorCode = refusal.error.code;
    this.#request.logFields.limits = {
      ...this.#request.logFields.limits,
      refusedBy: refusal.refusedBy,
      reason: refusal.reason,
    };
  }

  /**
   * The session's plan ended: open through the target at `path` (its responses are charged to the
   * session's subjects and that target's virtual key), or not at all (undefined). Its admission is
   * settled then: counted as one request when some provider answered, its one-unit holds given back.
   */
  planEnded(openedPath: string | undefined, providerAnswered: boolean): void {
    if (openedPath !== undefined) {
      const target = this.#targetSubjects?.get(openedPath);
      this.#subjects = target === undefined ? this.#requestSubjects : [...this.#requestSubjects, target];
    }
    const reservation = this.#reservation;
    if (reservation === undefined) return;
    this.#reservation = undefined;
    void this.#limits.limiter.settle(reservation, { tokens: 0, costMicros: 0, counted: providerAnswered });
  }

  /**
   * Charges one response's tokens and cost (USD; null: no price, charged $0 as a request would be)
   * after the ones before it; resolves to the limit it left without room, if any.
   */
  charge(tokens: number, cost: number | null): Promise<ChargeExhaustion | undefined> {
    const costMicros = cost === null ? 0 : Math.ceil(cost * MICROS_PER_USD);
    const subjects = this.#subjects;
    if (subjects.length === 0) return Promise.resolve(undefined);
    const charged = this.#charges.then(() => this.#limits.limiter.charge(subjects, { tokens, costMicros }));
    this.#charges = charged.catch(() => undefined);
    return charged;
  }
}

/** The tightest window of each measure among `rooms` (as an HTTP request's headers show them). */
function tightest(rooms: readonly WindowRoom[]): WindowRoom[] {
  const byMeasure = new Map<WindowRoom['measure'], WindowRoom>();
  for (const room of rooms) {
    const known = byMeasure.get(room.measure);
    if (!known || room.remaining < known.remaining) byMeasure.set(room.measure, room);
  }
  return [...byMeasure.values()];
}
