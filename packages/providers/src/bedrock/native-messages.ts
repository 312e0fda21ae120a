import type { EventSourceMessage } from 'eventsource-parser';
import { nativeDialectBodyWithout } from '../shared/dialect-body.js';
import { unexpectedBodyError } from '../shared/error-body.js';
import { isJsonObject, parseJsonOrUndefined } from '../shared/json.js';
import { joinUrl, readTargetString } from '../shared/target-options.js';
import { toUtf8 } from '../shared/utf8.js';
import type { NativeDialectRoute, StreamDecoder } from '../spec/provider-adapter.js';
import { isBedrockClaudeModel } from './claude-model.js';
import { readBedrockRegion } from './credentials.js';
import { createBedrockEventStreamDecoder } from './event-stream.js';
import { bedrockModelIdOf, bedrockRuntimeBaseUrl } from './request.js';

/**
 * The `anthropic_version` Bedrock wants in the body of Claude requests, the only one it takes: always
 * this one, whatever the target's `anthropic_version` (Anthropic's `anthropic-version` header).
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html
 */
export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

function base64ToUtf8(base64: string): string {
  return toUtf8(Uint8Array.from(Buffer.from(base64, 'base64')));
}

/**
 * `InvokeModelWithResponseStream` frames → Anthropic's stream events: each `chunk` event's payload is
 * `{"bytes": "<base64 of one Anthropic event>"}`; exception and error frames become `error` events
 * typed with the exception's name (`throttlingException` …), which the Messages stream gives the client
 * as the Anthropic type of the status AWS answers it with.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html
 */
function createClaudeEventDecoder(): StreamDecoder {
  const frames = createBedrockEventStreamDecoder();
  const toEvents = (events: readonly EventSourceMessage[]): EventSourceMessage[] =>
    events.map((event) => {
      const payload = parseJsonOrUndefined(event.data);
      if (event.event === 'chunk' && isJsonObject(payload) && typeof payload.bytes === 'string') {
        const data = base64ToUtf8(payload.bytes);
        const parsed = parseJsonOrUndefined(data);
        const type = isJsonObject(parsed) && typeof parsed.type === 'string' ? parsed.type : 'message';
        return { event: type, data, id: undefined };
      }
      const message =
        isJsonObject(payload) && typeof payload.message === 'string' ? payload.message : event.event;
      // The exception's own name (an error frame's code): the status it stands for is AWS's (a
      // throttlingException 429, a modelStreamErrorException 424), and the client gets the Anthropic
      // type of that status (`messagesStreamErrorBodyOf`).
      const code = isJsonObject(payload) && typeof payload.code === 'string' ? payload.code : undefined;
      const type = event.event === 'error' ? (code ?? 'api_error') : (event.event ?? 'api_error');
      return {
        event: 'error',
        data: JSON.stringify({
          type: 'error',
          error: { type, message: message ?? 'the provider reported an error' },
        }),
        id: undefined,
      };
    });
  return {
    push: (bytes) => toEvents(frames.push(bytes)),
    end: () => toEvents(frames.end()),
  };
}

/**
 * Anthropic's Messages API on Bedrock, for Claude models: `InvokeModel` (`/model/{id}/invoke`, or
 * `/invoke-with-response-stream`) with the client's body minus `model` and `stream`, plus
 * `anthropic_version: bedrock-2023-05-31` (always, whatever the target's or the body's; and `anthropic_beta` as a list); the answer is Anthropic's
 * Message, the stream Anthropic's events inside Bedrock's event-stream frames. Signed by the adapter's
 * `authorize`. Other models (Llama, Nova, Mistral …) are translated through Converse.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html
 */
export const bedrockNativeMessages: NativeDialectRoute = {
  accepts: (request) => typeof request.body.model === 'string' && isBedrockClaudeModel(request.body.model),
  buildRequest(request, context) {
    const region = readBedrockRegion(context.target);
    const model = bedrockModelIdOf(request.body.model);
    const beta =
      readTargetString(context.target, 'anthropic_beta') ?? request.dialectHeaders?.['anthropic-beta'];
    const body = {
      anthropic_version: BEDROCK_ANTHROPIC_VERSION,
      ...nativeDialectBodyWithout(request, ['model', 'stream', 'anthropic_version']),
      ...(beta === undefined ? {} : { anthropic_beta: beta.split(',').map((name) => name.trim()) }),
    };
    const action = request.stream ? 'invoke-with-response-stream' : 'invoke';
    return {
      upstream: {
        url: joinUrl(
          bedrockRuntimeBaseUrl(context.target, region),
          `/model/${encodeURIComponent(model)}/${action}`,
        ),
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: request.stream ? 'application/vnd.amazon.eventstream' : 'application/json',
        },
        body: JSON.stringify(body),
      },
      warnings: [],
    };
  },
  createStreamDecoder: createClaudeEventDecoder,
};

/** A cross-region inference profile's geography prefix (`us.`, `eu.`, `apac.`, `global.` …). */
const INFERENCE_PROFILE_PREFIX = /^(?:us|eu|apac|global|us-gov|jp|au|ca)\./;

/**
 * The most tokens an answer may take in the InvokeModel body a count wraps: Bedrock requires the
 * field there, Anthropic's `count_tokens` body has none, and it changes no input token.
 */
const COUNT_MAX_TOKENS = 1;

/**
 * Anthropic's token counting on Bedrock, for Claude models: `CountTokens` (`/model/{id}/count-tokens`,
 * the foundation model's id, without an inference profile's geography) with the InvokeModel body the
 * same request would send, base64 in `input.invokeModel.body`; Bedrock's `{"inputTokens": n}` is
 * answered as Anthropic's `{"input_tokens": n}`. Signed by the adapter's `authorize`.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CountTokens.html
 */
export const bedrockNativeCountTokens: NativeDialectRoute = {
  accepts: (request) => typeof request.body.model === 'string' && isBedrockClaudeModel(request.body.model),
  buildRequest(request, context) {
    const region = readBedrockRegion(context.target);
    const model = bedrockModelIdOf(request.body.model).replace(INFERENCE_PROFILE_PREFIX, '');
    const beta =
      readTargetString(context.target, 'anthropic_beta') ?? request.dialectHeaders?.['anthropic-beta'];
    const invokeBody = {
      anthropic_version: BEDROCK_ANTHROPIC_VERSION,
      max_tokens: COUNT_MAX_TOKENS,
      ...nativeDialectBodyWithout(request, ['model', 'stream', 'anthropic_version']),
      ...(beta === undefined ? {} : { anthropic_beta: beta.split(',').map((name) => name.trim()) }),
    };
    return {
      upstream: {
        url: joinUrl(
          bedrockRuntimeBaseUrl(context.target, region),
          `/model/${encodeURIComponent(model)}/count-tokens`,
        ),
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          input: { invokeModel: { body: Buffer.from(JSON.stringify(invokeBody)).toString('base64') } },
        }),
      },
      warnings: [],
    };
  },
  readCountTokensAnswer(json, provider) {
    if (!isJsonObject(json) || typeof json.inputTokens !== 'number') throw unexpectedBodyError(provider);
    return { input_tokens: json.inputTokens };
  },
};
