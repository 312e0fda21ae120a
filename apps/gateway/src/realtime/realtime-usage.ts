import type { RequestLogFields } from '../plugins/request-log.js';
import { type AnswerUsage, usageFieldsOf } from '../request-facts/request-cost.js';

/**
 * What pk reads of the provider's Realtime events: the model `session.created` names, and each
 * `response.done`'s `response.usage`. Never any content.
 */
export type RealtimeFact =
  | { readonly type: 'session.created'; readonly model: string | undefined }
  | { readonly type: 'response.done'; readonly usage: RealtimeChatUsage | undefined };

const SESSION_CREATED = '"session.created"';
const RESPONSE_DONE = '"response.done"';

/**
 * The fact a provider's text message carries, or undefined. Only a message that holds one of the two
 * type names is parsed: audio deltas (most of a session's bytes) are scanned, never parsed.
 */
export function realtimeFactOf(data: Buffer): RealtimeFact | undefined {
  const done = data.includes(RESPONSE_DONE);
  if (!done && !data.includes(SESSION_CREATED)) return undefined;
  let event: unknown;
  try {
    event = JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof event !== 'object' || event === null) return undefined;
  const { type } = event as { type?: unknown };
  if (type === 'response.done') {
    const response = (event as { response?: unknown }).response;
    const usage =
      typeof response === 'object' && response !== null ? (response as { usage?: unknown }).usage : undefined;
    return { type, usage: chatUsageOfRealtime(usage) };
  }
  if (type === 'session.created') {
    const session = (event as { session?: unknown }).session;
    const model =
      typeof session === 'object' && session !== null ? (session as { model?: unknown }).model : undefined;
    return { type, model: typeof model === 'string' && model !== '' ? model : undefined };
  }
  return undefined;
}

/** A chat-shaped usage with the audio counts `@pk/prices` prices apart. */
export interface RealtimeChatUsage extends AnswerUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  readonly prompt_tokens_details: { readonly cached_tokens?: number; readonly audio_tokens?: number };
  readonly completion_tokens_details: { readonly reasoning_tokens?: number; readonly audio_tokens?: number };
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function objectOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/**
 * A Realtime `response.usage` (`input_tokens`, `output_tokens`, `input_token_details` with
 * `cached_tokens`, `audio_tokens` and `cached_tokens_details`, `output_token_details.audio_tokens`) in
 * the OpenAI chat shape `@pk/prices` prices: prompt = input, completion = output, cached tokens as
 * `prompt_tokens_details.cached_tokens`, and the audio tokens that were not read from the cache as
 * `prompt_tokens_details.audio_tokens` (Realtime counts cached audio in both `audio_tokens` and
 * `cached_tokens`; without `cached_tokens_details` all of `audio_tokens` is taken as uncached, the
 * dearer reading). Undefined without input or output counts.
 */
export function chatUsageOfRealtime(usage: unknown): RealtimeChatUsage | undefined {
  const fields = objectOf(usage);
  if (fields === undefined) return undefined;
  const input = count(fields.input_tokens);
  const output = count(fields.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const inputDetails = objectOf(fields.input_token_details);
  const outputDetails = objectOf(fields.output_token_details);
  const cached = count(inputDetails?.cached_tokens);
  const audio = count(inputDetails?.audio_tokens);
  const cachedAudio = count(objectOf(inputDetails?.cached_tokens_details)?.audio_tokens) ?? 0;
  const audioOut = count(outputDetails?.audio_tokens);
  return {
    prompt_tokens: input ?? 0,
    completion_tokens: output ?? 0,
    total_tokens: count(fields.total_tokens) ?? (input ?? 0) + (output ?? 0),
    prompt_tokens_details: {
      ...(cached !== undefined ? { cached_tokens: cached } : {}),
      ...(audio !== undefined ? { audio_tokens: Math.max(0, audio - cachedAudio) } : {}),
    },
    completion_tokens_details: audioOut !== undefined ? { audio_tokens: audioOut } : {},
  };
}

/** What one response cost: USD, or null when the model has no price. */
export type PriceRealtimeUsage = (usage: RealtimeChatUsage) => number | null;

/**
 * A session's usage and cost, summed over its `response.done` events: tokens as they were reported,
 * and each response priced on its own (so a tier or per-request price applies per response, as the
 * provider bills it).
 */
export class RealtimeTally {
  responses = 0;
  #prompt = 0;
  #completion = 0;
  #total = 0;
  #cached = 0;
  #cost = 0;
  #unpriced = false;

  /** Adds one response's usage; answers its cost (null: no price). */
  add(usage: RealtimeChatUsage, price: PriceRealtimeUsage): number | null {
    this.responses += 1;
    this.#prompt += usage.prompt_tokens;
    this.#completion += usage.completion_tokens;
    this.#total += usage.total_tokens;
    this.#cached += usage.prompt_tokens_details.cached_tokens ?? 0;
    const cost = price(usage);
    if (cost === null) this.#unpriced = true;
    else this.#cost += cost;
    return cost;
  }

  /**
   * Writes the session's `usage`, `cost` and `costStatus` in its log fields: `priced` when every
   * response was; `unknown_price` (cost null) when the model has no price; `no_usage` (cost null)
   * when no response reported usage.
   */
  record(log: RequestLogFields, modelIsPriced: boolean): void {
    if (this.responses === 0) {
      log.cost = null;
      log.costStatus = modelIsPriced ? 'no_usage' : 'unknown_price';
      return;
    }
    log.usage = usageFieldsOf({
      prompt_tokens: this.#prompt,
      completion_tokens: this.#completion,
      total_tokens: this.#total,
      prompt_tokens_details: { cached_tokens: this.#cached },
    });
    if (this.#unpriced) {
      log.cost = null;
      log.costStatus = 'unknown_price';
      return;
    }
    // Rounded as `@pk/prices` rounds one request's cost: no float noise in the log.
    log.cost = Math.round(this.#cost * 1e12) / 1e12;
    log.costStatus = 'priced';
  }
}
