import { createErrorEnvelope, type OpenAIErrorEnvelope } from '@pk/config';
import type { OpenAIUsage } from '../../openai-format/usage.js';
import { unexpectedBodyError } from '../../shared/error-body.js';
import { isJsonObject, parseJsonOrUndefined } from '../../shared/json.js';
import type { StreamTransformer } from '../../spec/provider-adapter.js';
import type { NativeDialectAnswer } from '../client-dialect.js';
import { ResponsesEventWriter } from './event-writer.js';
import { openAIUsageOfResponses } from './response-object.js';

/** The events that end a Responses stream, each carrying the final Response. */
const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * A native Response answer: passed on as the provider gave it (any JSON object: OpenAI's own answer,
 * whatever fields it grows), usage read for the log when it has one.
 */
export function readNativeResponse(json: unknown, provider: string): NativeDialectAnswer {
  if (!isJsonObject(json)) throw unexpectedBodyError(provider);
  return { body: json, usage: openAIUsageOfResponses(json.usage) };
}

/**
 * A native Responses stream (OpenAI, Azure OpenAI) passed through event by event; the terminal event
 * (`response.completed`, `.incomplete`, `.failed`) is parsed for the usage it carries. An `error`
 * event ends the stream as it came; a stream that ends without a terminal event ends with an `error`
 * event (`PK_ERR_STREAM_INTERRUPTED`), as does a body that breaks before the terminal event: its
 * `sequence_number` continues the events passed on (the provider numbers its events one by one from
 * 0, so it is their count). A body that breaks after the terminal event lost nothing: the stream
 * ends there, whole (`ended`).
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export function createResponsesNativeStreamTransformer(options: {
  readonly onUsage: (usage: OpenAIUsage) => void;
}): StreamTransformer {
  let finished = false;
  /** A terminal event passed (not an `error` event, which ends the stream as an error). */
  let ended = false;
  let passed = 0;
  const errorAfterPassed = (envelope: OpenAIErrorEnvelope) =>
    new ResponsesEventWriter(passed).error(envelope);
  return {
    transform(message, sink) {
      if (finished) return;
      let type = message.event;
      if (type === undefined || type === 'message') {
        const data = parseJsonOrUndefined(message.data);
        type = isJsonObject(data) && typeof data.type === 'string' ? data.type : 'message';
      }
      if (type === 'error') {
        finished = true;
        const data = parseJsonOrUndefined(message.data);
        const source = isJsonObject(data) ? (isJsonObject(data.error) ? data.error : data) : {};
        sink.enqueue({
          type: 'error',
          envelope: {
            error: {
              message: typeof source.message === 'string' ? source.message : 'the provider reported an error',
              type: typeof source.type === 'string' && source.type !== 'error' ? source.type : 'api_error',
              param: typeof source.param === 'string' ? source.param : null,
              code: typeof source.code === 'string' ? source.code : null,
            },
          },
          data: message.data,
        });
        return;
      }
      if (TERMINAL_EVENTS.has(type)) {
        finished = true;
        ended = true;
        const data = parseJsonOrUndefined(message.data);
        const usage =
          isJsonObject(data) && isJsonObject(data.response)
            ? openAIUsageOfResponses(data.response.usage)
            : undefined;
        if (usage) options.onUsage(usage);
      }
      passed += 1;
      sink.enqueue({ type: 'data', event: type, data: message.data });
    },
    flush(sink) {
      if (finished) return;
      sink.enqueue(
        errorAfterPassed(
          createErrorEnvelope({
            code: 'PK_ERR_STREAM_INTERRUPTED',
            message: 'the provider stream ended before response.completed',
          }),
        ),
      );
    },
    errorOutput: errorAfterPassed,
    ended: () => ended,
  };
}
