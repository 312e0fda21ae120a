import { isRecord } from '../is-record.js';
import type { AnswerUsage } from './request-cost.js';

/**
 * The pass-through answers pk prices, by their upstream path: speech-to-text (transcriptions and
 * translations, billed by the duration of the audio, or by tokens for gpt-4o-transcribe) and speech
 * (billed by the characters of its input, which the price data has no price for: `unknown_price`).
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
    const input = tokens(usage.input_tokens);
    const output = tokens(usage.output_tokens);
    if (input !== undefined || output !== undefined) {
      const details = isRecord(usage.input_token_details) ? usage.input_token_details : undefined;
      const audio = tokens(details?.audio_tokens);
      return {
        prompt_tokens: input ?? 0,
        completion_tokens: output ?? 0,
        total_tokens: tokens(usage.total_tokens) ?? (input ?? 0) + (output ?? 0),
        prompt_tokens_details: audio === undefined ? {} : { audio_tokens: audio },
      };
    }
  }
  const duration = seconds(answer.duration);
  return duration === undefined ? undefined : { type: 'duration', seconds: duration };
}

/**
 * Bytes of a speech-to-text answer read for its usage: far more than any transcription's JSON
 * (a `verbose_json` of OpenAI's longest upload, 25 MB of audio, with word timestamps is a few MB);
 * a longer answer is passed on whole, and priced as one without usage.
 */
export const MAX_PRICED_ANSWER_BYTES = 16 * 1024 * 1024;

const JSON_CONTENT_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * A speech-to-text answer's bytes as they go to the client; before the last read returns (so before
 * the request's record and its limits are settled), `onEnd` gets the answer's usage
 * ({@link speechToTextUsageOf}), or undefined when it is not JSON, not whole, or says none.
 */
export async function* notingSpeechToTextUsage(
  body: AsyncIterable<Uint8Array>,
  contentType: string | undefined,
  onEnd: (usage: AnswerUsage | undefined) => void,
): AsyncGenerator<Uint8Array> {
  const isJson = contentType !== undefined && JSON_CONTENT_TYPE.test(contentType);
  const kept: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (isJson && size <= MAX_PRICED_ANSWER_BYTES) {
      kept.push(chunk);
      size += chunk.byteLength;
    }
    yield chunk;
  }
  let usage: AnswerUsage | undefined;
  if (isJson && size <= MAX_PRICED_ANSWER_BYTES) {
    try {
      usage = speechToTextUsageOf(JSON.parse(Buffer.concat(kept).toString('utf8')));
    } catch {
      usage = undefined;
    }
  }
  onEnd(usage);
}
