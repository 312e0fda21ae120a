import { createErrorEnvelope } from '@pk/config';
import {
  type AnthropicUsage,
  anthropicErrorBodySchema,
  anthropicMessageSchema,
  anthropicUsageSchema,
} from '../../anthropic/api.js';
import { anthropicUsageSoFar, toOpenAIUsageFromAnthropic } from '../../anthropic/usage.js';
import type { OpenAIUsage } from '../../openai-format/usage.js';
import { unexpectedBodyError } from '../../shared/error-body.js';
import { isJsonObject, parseJsonOrUndefined } from '../../shared/json.js';
import type { StreamTransformer } from '../../spec/provider-adapter.js';
import type { NativeDialectAnswer } from '../client-dialect.js';
import { isMessagesErrorType, messagesErrorOutput, messagesStreamErrorBodyOf } from './errors.js';

/** A native Message answer: passed on as it is once it parses as a Message; usage read for the log. */
export function readNativeMessage(json: unknown, provider: string): NativeDialectAnswer {
  const parsed = anthropicMessageSchema.safeParse(json);
  if (!parsed.success) throw unexpectedBodyError(provider);
  return { body: json, usage: toOpenAIUsageFromAnthropic(parsed.data.usage) };
}

function usageIn(value: unknown): AnthropicUsage {
  const parsed = anthropicUsageSchema.safeParse(value);
  if (!parsed.success) return {};
  return Object.fromEntries(
    Object.entries(parsed.data).filter(([, count]) => count !== null && count !== undefined),
  ) as AnthropicUsage;
}

/**
 * A native Messages stream passed through event by event (`event:` name and data as the provider sent
 * them, `ping` included): only `message_start` and `message_delta` are parsed, for the usage reported
 * to the log at `message_stop` (for a stream cut before it, the usage so far). An `error` event ends
 * the stream as it came; a stream that ends (or whose body breaks) before `message_stop` ends with
 * Anthropic's `event: error` (`PK_ERR_STREAM_INTERRUPTED`). Anthropic sends nothing after
 * `message_stop`: a body that breaks after it lost nothing, and the stream ends there, whole (`ended`).
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
export function createMessagesNativeStreamTransformer(options: {
  readonly onUsage: (usage: OpenAIUsage) => void;
}): StreamTransformer {
  let usage: AnthropicUsage = {};
  let finished = false;
  /** `message_stop` passed (not an `error` event, which ends the stream as an error). */
  let ended = false;
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
        const parsed = anthropicErrorBodySchema.safeParse(parseJsonOrUndefined(message.data));
        const error = parsed.success ? parsed.data.error : undefined;
        const envelope = {
          error: {
            message: error?.message ?? 'the provider reported an error',
            type: error?.type ?? 'api_error',
            param: null,
            code: null,
          },
        };
        // Anthropic's own error goes on as it came; another's (a Bedrock exception) in Anthropic's terms.
        const data = isMessagesErrorType(envelope.error.type)
          ? message.data
          : JSON.stringify(messagesStreamErrorBodyOf(envelope));
        sink.enqueue({ type: 'error', envelope, data });
        return;
      }
      if (type === 'message_start' || type === 'message_delta') {
        const data = parseJsonOrUndefined(message.data);
        const reported = isJsonObject(data)
          ? type === 'message_start'
            ? isJsonObject(data.message)
              ? data.message.usage
              : undefined
            : data.usage
          : undefined;
        usage = { ...usage, ...usageIn(reported) };
      } else if (type === 'message_stop') {
        finished = true;
        ended = true;
        options.onUsage(toOpenAIUsageFromAnthropic(usage));
      }
      sink.enqueue({ type: 'data', event: type, data: message.data });
    },
    flush(sink) {
      if (finished) return;
      sink.enqueue(
        messagesErrorOutput(
          createErrorEnvelope({
            code: 'PK_ERR_STREAM_INTERRUPTED',
            message: 'the provider stream ended before message_stop',
          }),
        ),
      );
    },
    errorOutput: messagesErrorOutput,
    usageSoFar: () => anthropicUsageSoFar(usage),
    ended: () => ended,
  };
}
