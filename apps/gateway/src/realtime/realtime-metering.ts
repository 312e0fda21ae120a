import type { VirtualKey } from '@pk/store';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { refusalHeaders, roomHeaders } from '../limits/limit-headers.js';
import { type LimitSubject, MICROS_PER_USD } from '../limits/limit-model.js';
import type { ChargeExhaustion, Reservation } from '../limits/limiter.js';
import {
  limitSubjectsOf,
  logAdmitted,
  noteAdmitted,
  type RequestLimits,
  refusalCodeOf,
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

/**
 * The limits of one Realtime session (decision 0012): admitted as any request when it opens (the
 * request rates count it; an exhausted budget or a full token window refuses it), then charged each
 * `response.done`'s tokens and spend as it arrives. {@link charge} answers the limit a response left
 * without room: the session is to end then.
 */
export class SessionMeter {
  readonly #limits: RequestLimits;
  readonly #subjects: readonly LimitSubject[];
  #reservation: Reservation | undefined;
  /** Charges in order, one at a time (a store round trip each). */
  #charges: Promise<unknown> = Promise.resolve();

  private constructor(limits: RequestLimits, subjects: readonly LimitSubject[], reservation: Reservation) {
    this.#limits = limits;
    this.#subjects = subjects;
    this.#reservation = reservation;
  }

  /**
   * Admits a session under its gateway key's, its metadata values' and its target's virtual key's
   * limits (the one target is called as the session opens) with a hold of one token and one
   * micro-dollar: what an exhausted budget or a full token window refuses. Resolves to undefined when
   * no limit applies; answers a refusal itself (429 / 412 / 503, headers and log as any request's),
   * resolving to `'refused'`.
   */
  static async admit(
    limits: RequestLimits | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
    metadata: Readonly<Record<string, unknown>> | undefined,
    limitedVirtualKeys: ReadonlyMap<VirtualKey, readonly string[]> | undefined,
    leafPath: string,
  ): Promise<SessionMeter | 'refused' | undefined> {
    if (limits === undefined) return undefined;
    const subjects = [...(limitSubjectsOf(limits, request.gatewayKey, metadata, request.tenant) ?? [])];
    const target = limitedVirtualKeys && targetSubjectsOf(limitedVirtualKeys)?.get(leafPath);
    if (target !== undefined) subjects.push(target);
    if (subjects.length === 0) return undefined;
    const admission = await limits.limiter.admit(subjects, { tokens: 1, costMicros: 1 });
    if (!admission.ok) {
      const code = refusalCodeOf(admission.reason);
      request.logFields.errorCode = code;
      request.logFields.limits = { refusedBy: admission.subject.key, reason: admission.reason };
      reply.headers(refusalHeaders(admission));
      sendPkError(reply, request, code, admission.message);
      return 'refused';
    }
    const noted = { subjects: [] as string[], budgetUsed: {} as Record<string, number>, degraded: false };
    noteAdmitted(noted, subjects, admission);
    logAdmitted(request, noted);
    reply.headers(roomHeaders(admission.rooms));
    return new SessionMeter(limits, subjects, admission.reservation);
  }

  /**
   * The session's admission is settled once its provider answered the upgrade: counted as one
   * request (a provider that could not be reached: not counted), its one-unit holds given back. What
   * the session uses is charged response by response ({@link charge}).
   */
  opened(providerAnswered: boolean): void {
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
    const charged = this.#charges.then(() =>
      this.#limits.limiter.charge(this.#subjects, { tokens, costMicros }),
    );
    this.#charges = charged.catch(() => undefined);
    return charged;
  }
}
