import { randomBytes } from 'node:crypto';
import { createErrorEnvelope, type PkErrorCode } from '@pk/config';
import type { PriceTable } from '@pk/prices';
import type { FastifyRequest } from 'fastify';
import type { ChargeExhaustion } from '../limits/limiter.js';
import type { SessionMeter } from './realtime-metering.js';
import { type RealtimeChatUsage, RealtimeTally, realtimeFactOf } from './realtime-usage.js';

/** What a session's usage needs of the gateway. */
interface UsageServices {
  readonly settings: { readonly prices: PriceTable };
}

/**
 * A Realtime `error` event (the shape OpenAI's server sends, which the `openai` package's
 * `OpenAIRealtimeWS` raises as an `OpenAIRealtimeError`) for one of pk's errors: its `type` the
 * catalogue's, its `code` the `PK_ERR_*` name.
 */
export function realtimeErrorEventOf(
  code: PkErrorCode,
  message: string,
): {
  readonly type: 'error';
  readonly event_id: string;
  readonly error: {
    readonly type: string;
    readonly code: string;
    readonly message: string;
    readonly param: null;
    readonly event_id: null;
  };
} {
  const { error } = createErrorEnvelope({ code, message });
  return {
    type: 'error',
    event_id: `event_pk_${randomBytes(9).toString('base64url')}`,
    error: { type: error.type ?? 'api_error', code, message, param: null, event_id: null },
  };
}

/**
 * The usage of one Realtime session, read from its provider's events as they pass: the model
 * `session.created` names (the answered model), each `response.done`'s usage summed and priced with
 * the settings' price table, and charged to the session's limits when it has some (`onExhausted`
 * once, when a response leaves one without room). {@link record} writes the totals into the log
 * fields when the session ends.
 */
export class SessionUsage {
  readonly #tally = new RealtimeTally();
  readonly #services: UsageServices;
  readonly #request: FastifyRequest;
  readonly #provider: string;
  readonly #meter: SessionMeter | undefined;
  readonly #onExhausted: (exhaustion: ChargeExhaustion) => void;
  #ended = false;
  /** The input-audio transcription model the provider's session events last named. */
  #transcriptionModel: string | undefined;

  constructor(
    services: UsageServices,
    request: FastifyRequest,
    provider: string,
    meter: SessionMeter | undefined,
    onExhausted: (exhaustion: ChargeExhaustion) => void,
  ) {
    this.#services = services;
    this.#request = request;
    this.#provider = provider;
    this.#meter = meter;
    this.#onExhausted = onExhausted;
  }

  /** Reads a text message of the provider. */
  read(data: Buffer): void {
    const fact = realtimeFactOf(data);
    if (fact === undefined) return;
    const log = this.#request.logFields;
    if (fact.type === 'session.created' || fact.type === 'session.updated') {
      if (fact.model !== undefined && log.answeredModel === undefined) log.answeredModel = fact.model;
      if (fact.transcriptionModel !== undefined)
        this.#transcriptionModel = fact.transcriptionModel ?? undefined;
      return;
    }
    if (fact.type === 'transcription') {
      if (fact.usage === undefined) return;
      // Billed at the transcription model's price; its tokens are not the Realtime model's (the
      // session's usage), so only its cost is charged to the limits.
      const cost = this.#tally.addTranscription(
        this.#transcriptionModel,
        fact.usage,
        (model, usage) => this.#prices().cost({ provider: this.#provider, model, usage }).cost,
      );
      if (cost !== null && cost > 0) this.#charge(0, cost);
      return;
    }
    if (fact.type !== 'response.done' || fact.usage === undefined) return;
    const cost = this.#tally.add(fact.usage, (usage) => this.#price(usage));
    this.#charge(fact.usage.total_tokens, cost);
  }

  #prices(): PriceTable {
    return this.#services.settings.prices;
  }

  /** Charges tokens and cost to the session's limits; a limit left without room ends it (once). */
  #charge(tokens: number, cost: number | null): void {
    if (this.#meter === undefined) return;
    void this.#meter.charge(tokens, cost).then((exhaustion) => {
      if (exhaustion === undefined || this.#ended) return;
      this.#ended = true;
      this.#onExhausted(exhaustion);
    });
  }

  /** Writes the session's usage and cost in its log fields. */
  record(): void {
    const log = this.#request.logFields;
    const model = log.answeredModel ?? log.model;
    const prices = this.#services.settings.prices;
    const priced =
      model !== undefined &&
      (prices.isPriced({ provider: this.#provider, model }) ||
        (log.model !== undefined && prices.isPriced({ provider: this.#provider, model: log.model })));
    this.#tally.record(log, priced, model);
  }

  /**
   * One response's cost: the answered model's price, else (a dated id the table does not know) the
   * requested model's, as other requests are priced.
   */
  #price(usage: RealtimeChatUsage): number | null {
    const log = this.#request.logFields;
    const prices = this.#services.settings.prices;
    const model = log.answeredModel ?? log.model;
    if (model === undefined) return null;
    let priced = prices.cost({ provider: this.#provider, model, usage });
    if (priced.cost_status === 'unknown_price' && log.model !== undefined && log.model !== model)
      priced = prices.cost({ provider: this.#provider, model: log.model, usage });
    return priced.cost;
  }
}
