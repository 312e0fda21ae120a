import type { OpenAIErrorEnvelope } from '@pk/config';
import type { OpenAIUsage } from '../openai-format/usage.js';
import { isJsonObject, parseJsonOrUndefined } from '../shared/json.js';
import { hasObjectMember, memberName } from '../shared/json-text-scan.js';
import { streamInterrupted } from '../shared/stream-interrupted.js';
import type { StreamSink, StreamTransformer, StreamTransformerOptions } from '../spec/provider-adapter.js';
import { openAIErrorBodySchema, openAIStreamChunkFieldsOf } from './api.js';

const USAGE = memberName('usage');
const ERROR = memberName('error');
const STARTS_WITH_ERROR = /^\s*\{\s*"error"\s*:/;

/**
 * Whether a chunk is an in-band error: `{"error":…}` first (OpenAI), or a chunk with an
 * `error` object among its own members (OpenRouter's mid-stream error: `id`, `model`, `provider`,
 * `error`, and a choice with `finish_reason: "error"`). Only a chunk whose text has an `error` object
 * member anywhere is parsed, and only a top-level, non-empty one counts: Azure's
 * `content_filter_results` may hold an `error` of their own in an answer that goes on.
 * @see https://openrouter.ai/docs/api-reference/errors (streaming error formats)
 */
function isInBandError(data: string): boolean {
  if (STARTS_WITH_ERROR.test(data)) return true;
  if (!hasObjectMember(data, ERROR)) return false;
  const chunk = parseJsonOrUndefined(data);
  return isJsonObject(chunk) && isJsonObject(chunk.error) && Object.keys(chunk.error).length > 0;
}

function errorEnvelopeFrom(data: string): OpenAIErrorEnvelope {
  const parsed = openAIErrorBodySchema.safeParse(parseJsonOrUndefined(data));
  const error = parsed.success ? parsed.data.error : undefined;
  if (isJsonObject(error)) {
    return {
      error: {
        message: error.message ?? 'the provider reported an error',
        type: error.type ?? null,
        param: error.param ?? null,
        code: error.code ?? null,
      },
    };
  }
  const message = typeof error === 'string' ? error : 'the provider reported an error';
  return { error: { message, type: 'api_error', param: null, code: null } };
}

/**
 * The OpenAI-family stream on its fast path: chunk JSON passes through byte for byte. Only chunks with
 * a usage object are looked into: usage is reported through `onUsage`, removed from content chunks,
 * and exactly one usage chunk (the vendor's, or one built from the last usage seen) reaches a client
 * that asked for it with `stream_options.include_usage`. An in-band error (`{"error":…}`, a chunk
 * with a top-level `error` object as OpenRouter's mid-stream error, or `event: error`) becomes an
 * `event: error` frame; a stream cut before `[DONE]` ends with `PK_ERR_STREAM_INTERRUPTED`
 * (one whose body breaks after `[DONE]` lost nothing: `ended`).
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 */
export function createOpenAIStreamTransformer(options: StreamTransformerOptions): StreamTransformer {
  const wantsUsage = options.request.clientWantsUsage;
  let finished = false;
  /** `[DONE]` passed (not an in-band error, which ends the stream as an error). */
  let ended = false;
  let lastUsage: OpenAIUsage | undefined;
  let usageChunk: string | undefined;
  let lastChunk: {
    id?: string | undefined;
    created?: number | undefined;
    model?: string | undefined;
    object?: string | undefined;
  } = {};

  function emitUsage(controller: StreamSink): void {
    if (lastUsage !== undefined) options.onUsage(lastUsage);
    if (!wantsUsage || lastUsage === undefined) return;
    const data =
      usageChunk ??
      JSON.stringify({
        id: lastChunk.id ?? options.context.generateId(),
        object: lastChunk.object ?? 'chat.completion.chunk',
        created: lastChunk.created ?? Math.floor(options.context.now() / 1000),
        model: lastChunk.model ?? String(options.request.body.model ?? ''),
        choices: [],
        usage: lastUsage,
      });
    controller.enqueue({ type: 'data', data });
  }

  return {
    transform(event, controller) {
      if (finished) return;
      const data = event.data;
      if (event.event === 'error' || isInBandError(data)) {
        finished = true;
        controller.enqueue({ type: 'error', envelope: errorEnvelopeFrom(data) });
        return;
      }
      if (data.trim() === '[DONE]') {
        finished = true;
        ended = true;
        emitUsage(controller);
        return;
      }
      if (!hasObjectMember(data, USAGE)) {
        controller.enqueue({ type: 'data', data });
        return;
      }
      // The chunk itself (every member it has) when its fields have the expected types.
      const fields = openAIStreamChunkFieldsOf(parseJsonOrUndefined(data));
      if (fields?.usage == null) {
        controller.enqueue({ type: 'data', data });
        return;
      }
      lastUsage = fields.usage as OpenAIUsage;
      lastChunk = fields;
      if ((fields.choices ?? []).length === 0) {
        usageChunk = data;
        return;
      }
      const { usage: _usage, ...withoutUsage } = fields;
      controller.enqueue({ type: 'data', data: JSON.stringify(withoutUsage) });
    },
    flush(controller) {
      if (finished) return;
      controller.enqueue(streamInterrupted('the provider stream ended before [DONE]'));
    },
    usageSoFar: () => lastUsage,
    ended: () => ended,
  };
}
