import type { CostPart, RequestLogFields } from '../plugins/request-log.js';
import { type AnswerUsage, usageFieldsOf } from '../request-facts/request-cost.js';

/**
 * What pk reads of the provider's Realtime events: the model `session.created` names, the
 * transcription model `session.created` and `session.updated` name, each `response.done`'s
 * `response.usage`, and each input-audio transcription's `usage`. Never any content.
 */
export type RealtimeFact =
  | {
      readonly type: 'session.created' | 'session.updated';
      readonly model: string | undefined;
      /** The session's input-audio transcription model; null: transcription is off; undefined: not said. */
      readonly transcriptionModel: string | null | undefined;
    }
  | { readonly type: 'response.done'; readonly usage: RealtimeChatUsage | undefined }
  | { readonly type: 'transcription'; readonly usage: TranscriptionUsage | undefined };

/**
 * An input-audio transcription's usage: tokens (gpt-4o-transcribe, in the chat shape `@pk/prices`
 * prices), or seconds of audio (whisper-1, billed by the minute, priced per hour of audio).
 */
export type TranscriptionUsage =
  | { readonly kind: 'tokens'; readonly usage: RealtimeChatUsage }
  | { readonly kind: 'duration'; readonly seconds: number };

const SESSION_EVENT = '"session.';
const RESPONSE_DONE = '"response.done"';
const TRANSCRIPTION_COMPLETED = 'input_audio_transcription.completed"';
const TRANSCRIPTION_EVENT = 'conversation.item.input_audio_transcription.completed';

/**
 * The transcription model a Realtime session object names: `audio.input.transcription.model` (the
 * GA shape), else `input_audio_transcription.model` (the beta's); null when the one it has is null
 * (transcription off), undefined when it says nothing of it.
 */
function transcriptionModelOf(session: Record<string, unknown>): string | null | undefined {
  const input = objectOf(objectOf(session.audio)?.input);
  const setting =
    input !== undefined && 'transcription' in input ? input.transcription : session.input_audio_transcription;
  if (setting === null) return null;
  const model = objectOf(setting)?.model;
  return typeof model === 'string' && model !== '' ? model : undefined;
}

/** A transcription's `usage` (`type: "tokens"` or `"duration"`), or undefined. */
function transcriptionUsageOf(usage: unknown): TranscriptionUsage | undefined {
  const fields = objectOf(usage);
  if (fields === undefined) return undefined;
  if (fields.type === 'duration') {
    const seconds = count(fields.seconds);
    return seconds === undefined ? undefined : { kind: 'duration', seconds };
  }
  const chat = chatUsageOfRealtime(fields);
  return chat === undefined ? undefined : { kind: 'tokens', usage: chat };
}

/**
 * The fact a provider's text message carries, or undefined. Only a message that holds one of the
 * event names is parsed: audio deltas (most of a session's bytes) are scanned, never parsed.
 */
export function realtimeFactOf(data: Buffer): RealtimeFact | undefined {
  if (
    !data.includes(RESPONSE_DONE) &&
    !data.includes(SESSION_EVENT) &&
    !data.includes(TRANSCRIPTION_COMPLETED)
  )
    return undefined;
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
  if (type === 'session.created' || type === 'session.updated') {
    const session = objectOf((event as { session?: unknown }).session);
    const model = session?.model;
    return {
      type,
      model: typeof model === 'string' && model !== '' ? model : undefined,
      transcriptionModel: session === undefined ? undefined : transcriptionModelOf(session),
    };
  }
  if (type === TRANSCRIPTION_EVENT)
    return { type: 'transcription', usage: transcriptionUsageOf((event as { usage?: unknown }).usage) };
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

/** Seconds of audio transcribed, in the usage shape `@pk/prices` prices by the hour of audio. */
export interface DurationUsage {
  readonly type: 'duration';
  readonly seconds: number;
}

/** What one response cost: USD, or null when the model has no price. */
export type PriceRealtimeUsage = (usage: RealtimeChatUsage) => number | null;

/** One transcription model's transcriptions in a session, summed. */
interface TranscriptionPart {
  events: number;
  tokens: number;
  seconds: number;
  /** USD of those priced. */
  cost: number;
  /** Some were not priced (a model without a price in their unit, or none named). */
  unpriced: boolean;
}

/** Rounded as `@pk/prices` rounds one request's cost: no float noise in the log. */
const round = (usd: number): number => Math.round(usd * 1e12) / 1e12;

/**
 * A session's usage and cost, summed over its `response.done` events: tokens as they were reported,
 * and each response priced on its own (so a tier or per-request price applies per response, as the
 * provider bills it); and its input-audio transcriptions, each priced at its transcription model's
 * price (OpenAI bills them at that model's rates, not the Realtime model's).
 */
export class RealtimeTally {
  responses = 0;
  #prompt = 0;
  #completion = 0;
  #total = 0;
  #cached = 0;
  #cost = 0;
  #unpriced = false;
  /** By transcription model ('' when the session never named one). */
  readonly #transcriptions = new Map<string, TranscriptionPart>();

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
   * Adds one input-audio transcription of `model` (undefined: the session named none); answers its
   * cost (null: not priced: a model without a price in the usage's unit, or none named).
   */
  addTranscription(
    model: string | undefined,
    usage: TranscriptionUsage,
    price: (model: string, usage: RealtimeChatUsage | DurationUsage) => number | null,
  ): number | null {
    const key = model ?? '';
    let part = this.#transcriptions.get(key);
    if (part === undefined) {
      part = { events: 0, tokens: 0, seconds: 0, cost: 0, unpriced: false };
      this.#transcriptions.set(key, part);
    }
    part.events += 1;
    let cost: number | null = null;
    if (usage.kind === 'tokens') {
      part.tokens += usage.usage.total_tokens;
      if (model !== undefined) cost = price(model, usage.usage);
    } else {
      part.seconds += usage.seconds;
      // Billed by the minute (whisper-1): priced at the model's price per hour of audio.
      if (model !== undefined) cost = price(model, { type: 'duration', seconds: usage.seconds });
    }
    if (cost === null) part.unpriced = true;
    else part.cost += cost;
    return cost;
  }

  /**
   * Writes the session's `usage` (its responses'), `cost` and `costStatus` in its log fields:
   * `priced` when every response was; `unknown_price` (cost null) when the model has no price;
   * `no_usage` (cost null) when no response reported usage. The transcriptions' cost is added to a
   * priced session's (a session with transcriptions only is priced by them), and `costParts` says
   * what was priced: the responses' part and each transcription model's, a part without a price
   * with cost null (it is not in `cost`).
   */
  record(log: RequestLogFields, modelIsPriced: boolean, model: string | undefined): void {
    let transcribed = 0;
    let transcriptionPriced = false;
    if (this.#transcriptions.size > 0) {
      const parts: CostPart[] = [];
      if (this.responses > 0)
        parts.push({
          part: 'responses',
          model: model ?? null,
          events: this.responses,
          total_tokens: this.#total,
          cost: this.#unpriced ? null : round(this.#cost),
        });
      for (const [key, part] of this.#transcriptions) {
        const priced = part.events > 0 && !part.unpriced;
        // A model with some transcriptions priced and some not (none can be, today) counts as unpriced.
        if (priced) {
          transcribed += part.cost;
          transcriptionPriced = true;
        }
        parts.push({
          part: 'input_audio_transcription',
          model: key === '' ? null : key,
          events: part.events,
          ...(part.tokens > 0 ? { total_tokens: part.tokens } : {}),
          ...(part.seconds > 0 ? { seconds: round(part.seconds) } : {}),
          cost: priced ? round(part.cost) : null,
        });
      }
      log.costParts = parts;
    }
    if (this.responses === 0) {
      if (transcriptionPriced) {
        log.cost = round(transcribed);
        log.costStatus = 'priced';
        return;
      }
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
    log.cost = round(this.#cost + transcribed);
    log.costStatus = 'priced';
  }
}
