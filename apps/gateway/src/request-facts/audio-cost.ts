import { isRecord } from '../is-record.js';
import type { AnswerUsage } from './request-cost.js';

/**
 * The pass-through answers pk prices, by their upstream path: speech-to-text (transcriptions and
 * translations, billed by the duration of the audio, or by tokens for gpt-4o-transcribe, streamed or
 * not) and speech (tts-1 billed by the characters of its input, which the price data has no price
 * for: `unknown_price`; gpt-4o-mini-tts by tokens, which only a streamed answer reports).
 * Undefined for every other pass-through path (images, files, batches …), which stay unpriced.
 */
export type PricedPassthrough = 'speech-to-text' | 'speech';

const SPEECH_TO_TEXT = /\/audio\/(?:transcriptions|translations)\/?$/;
const SPEECH = /\/audio\/speech\/?$/;

/** Which priced pass-through a path is (see {@link PricedPassthrough}), if any. */
export function pricedPassthroughOf(path: string): PricedPassthrough | undefined {
  const query = path.indexOf('?');
  const route = query === -1 ? path : path.slice(0, query);
  if (SPEECH_TO_TEXT.test(route)) return 'speech-to-text';
  if (SPEECH.test(route)) return 'speech';
  return undefined;
}

const seconds = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

const tokens = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;

/**
 * A token usage of OpenAI's audio endpoints in the chat shape, audio input tokens apart: a
 * transcription's `{ type: "tokens", input_tokens, output_tokens, input_token_details }`
 * (gpt-4o-transcribe), a streamed speech's `{ input_tokens, output_tokens, total_tokens }`
 * (gpt-4o-mini-tts, no `type`). Undefined when it has neither count.
 */
function tokenUsageOf(usage: Record<string, unknown>): AnswerUsage | undefined {
  const input = tokens(usage.input_tokens);
  const output = tokens(usage.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const details = isRecord(usage.input_token_details) ? usage.input_token_details : undefined;
  const audio = tokens(details?.audio_tokens);
  return {
    prompt_tokens: input ?? 0,
    completion_tokens: output ?? 0,
    total_tokens: tokens(usage.total_tokens) ?? (input ?? 0) + (output ?? 0),
    prompt_tokens_details: audio === undefined ? {} : { audio_tokens: audio },
  };
}

/**
 * The usage of a speech-to-text answer (https://platform.openai.com/docs/api-reference/audio/json-object),
 * in the shapes `@pk/prices` prices: `usage: { type: "duration", seconds }` (whisper-1's billed
 * seconds, in `json` and `verbose_json` answers now) as it is; else a `verbose_json` answer's
 * `duration` (older answers, and translations, carry no usage) as `{ type: "duration", seconds }`;
 * `usage: { type: "tokens", input_tokens, output_tokens, input_token_details }` (gpt-4o-transcribe)
 * in the chat shape. Undefined when the answer says neither (plain `json` without usage, `text`, `srt`).
 */
export function speechToTextUsageOf(answer: unknown): AnswerUsage | undefined {
  if (!isRecord(answer)) return undefined;
  const usage = answer.usage;
  if (isRecord(usage) && usage.type === 'duration') {
    const billed = seconds(usage.seconds);
    if (billed !== undefined) return { type: 'duration', seconds: billed };
  }
  if (isRecord(usage) && usage.type === 'tokens') {
    const counted = tokenUsageOf(usage);
    if (counted !== undefined) return counted;
  }
  const duration = seconds(answer.duration);
  return duration === undefined ? undefined : { type: 'duration', seconds: duration };
}

/**
 * The event types of OpenAI's audio streams that close them with the request's usage: a streamed
 * transcription's `transcript.text.done`
 * (https://platform.openai.com/docs/api-reference/audio/transcript-text-done-event) and a streamed
 * speech's `speech.audio.done` (`stream_format: "sse"`,
 * https://platform.openai.com/docs/api-reference/audio/speech-audio-done-event).
 */
const DONE_EVENT_TYPES = ['transcript.text.done', 'speech.audio.done'] as const;

/** The usage a closing event of an audio stream carries (see {@link DONE_EVENT_TYPES}), if it is one. */
export function audioStreamEventUsageOf(event: unknown): AnswerUsage | undefined {
  if (!isRecord(event) || !DONE_EVENT_TYPES.includes(event.type as (typeof DONE_EVENT_TYPES)[number]))
    return undefined;
  const usage = event.usage;
  if (!isRecord(usage)) return undefined;
  // A transcription's is `type: "tokens"` (the only kind a streamed transcription has); speech's has no type.
  return usage.type === undefined || usage.type === 'tokens' ? tokenUsageOf(usage) : undefined;
}

/** The JSON of one SSE event's `data:` lines (joined by newlines, as the SSE specification says), if any. */
function eventDataOf(event: string): unknown {
  let data: string | undefined;
  for (const line of event.split(/\r\n|\r|\n/)) {
    if (!line.startsWith('data:')) continue;
    const value = line.charCodeAt(5) === 0x20 ? line.slice(6) : line.slice(5);
    data = data === undefined ? value : `${data}\n${value}`;
  }
  if (data === undefined) return undefined;
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

/** The blank line that ends an SSE event, in any of the specification's line endings. */
const EVENT_END = /\r\n\r\n|\n\n|\r\r/g;

/**
 * Reads the usage of an audio SSE stream's closing event as the stream goes by, without keeping it:
 * only the text of the event not yet ended is held (at most {@link MAX_PRICED_ANSWER_BYTES}; a longer
 * event is skipped), and only an event that names a closing type is parsed. The last usage seen wins.
 */
class AudioStreamUsageReader {
  #decoder = new TextDecoder();
  #pending = '';
  #skipping = false;
  usage: AnswerUsage | undefined;

  push(chunk: Uint8Array): void {
    const text = this.#pending + this.#decoder.decode(chunk, { stream: true });
    EVENT_END.lastIndex = 0;
    let start = 0;
    for (let match = EVENT_END.exec(text); match !== null; match = EVENT_END.exec(text)) {
      if (this.#skipping) this.#skipping = false;
      else this.#read(text.slice(start, match.index));
      start = match.index + match[0].length;
    }
    this.#pending = text.slice(start);
    if (this.#pending.length > MAX_PRICED_ANSWER_BYTES) {
      this.#pending = '';
      this.#skipping = true;
    }
  }

  end(): void {
    // An event not ended by a blank line when the body ends is dropped, as the SSE specification says.
    this.#pending = '';
  }

  #read(event: string): void {
    if (!DONE_EVENT_TYPES.some((type) => event.includes(type))) return;
    const usage = audioStreamEventUsageOf(eventDataOf(event));
    if (usage !== undefined) this.usage = usage;
  }
}

/**
 * Bytes of a speech-to-text answer read for its usage: far more than any transcription's JSON
 * (a `verbose_json` of OpenAI's longest upload, 25 MB of audio, with word timestamps is a few MB);
 * a longer answer is passed on whole, and priced as one without usage.
 */
export const MAX_PRICED_ANSWER_BYTES = 16 * 1024 * 1024;

const JSON_CONTENT_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;
const SSE_CONTENT_TYPE = /^text\/event-stream\s*(?:;|$)/i;

/** Whether an answer's content type is an SSE stream's (a streamed transcription's or speech's). */
export const isEventStream = (contentType: string | undefined): boolean =>
  contentType !== undefined && SSE_CONTENT_TYPE.test(contentType);

/**
 * A priced audio answer's bytes as they go to the client; before the last read returns (so before
 * the request's record and its limits are settled), `onEnd` gets its usage, or undefined when it
 * says none. A speech-to-text JSON answer is read whole ({@link speechToTextUsageOf}, up to
 * {@link MAX_PRICED_ANSWER_BYTES}); an SSE stream (a streamed transcription, a streamed speech) is
 * read event by event for its closing event's usage ({@link audioStreamEventUsageOf}), nothing kept
 * but the event in progress. Any other answer (`text`, `srt`, speech's audio bytes) is passed on
 * untouched, and says no usage.
 */
export async function* notingAudioUsage(
  body: AsyncIterable<Uint8Array>,
  contentType: string | undefined,
  onEnd: (usage: AnswerUsage | undefined) => void,
): AsyncGenerator<Uint8Array> {
  if (isEventStream(contentType)) {
    const reader = new AudioStreamUsageReader();
    for await (const chunk of body) {
      reader.push(chunk);
      yield chunk;
    }
    reader.end();
    onEnd(reader.usage);
    return;
  }
  if (contentType === undefined || !JSON_CONTENT_TYPE.test(contentType)) {
    yield* body;
    onEnd(undefined);
    return;
  }
  const kept: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size <= MAX_PRICED_ANSWER_BYTES) {
      kept.push(chunk);
      size += chunk.byteLength;
    }
    yield chunk;
  }
  let usage: AnswerUsage | undefined;
  if (size <= MAX_PRICED_ANSWER_BYTES) {
    try {
      usage = speechToTextUsageOf(JSON.parse(Buffer.concat(kept).toString('utf8')));
    } catch {
      usage = undefined;
    }
  }
  onEnd(usage);
}
