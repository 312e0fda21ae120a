import { PkError } from '@pk/config';
import type { ClientDialect } from '../dialects/client-dialect.js';
import { CLIENT_DIALECTS } from '../dialects/registry.js';
import { chatCompletionSchema } from '../openai-format/chat-completion.js';
import { getProviderAdapter, isSupportedProviderId } from '../registry/registry.js';
import { droppedParametersOf } from '../shared/chat-request.js';
import { unexpectedBodyError } from '../shared/error-body.js';
import { isJsonObject } from '../shared/json.js';
import { type PreparedCall, prepareRequest } from '../shared/prepare-request.js';
import { createSseDecoder } from '../shared/sse-decoder.js';
import type {
  BuiltRequest,
  DialectEndpoint,
  ProviderAdapter,
  ProviderContext,
  ProviderEndpoint,
} from '../spec/provider-adapter.js';
import { UpstreamError } from '../spec/upstream-error.js';
import { withPassedAnswerHeaders } from './answer-headers.js';
import type { CallProviderOptions, ProviderAttemptOutcome } from './call-provider.js';
import { callTargetOf } from './call-provider.js';
import { checkEndpointSupported } from './endpoint-support.js';
import { readBodyText } from './read-body.js';
import { streamOpeningFailure } from './stream-opening.js';
import { translateStream } from './stream-pipeline.js';
import {
  failure,
  isSuccess,
  parseJsonAnswer,
  scrubbedFailure,
  sendUpstream,
  unexpectedFailure,
  upstreamFailure,
} from './upstream-exchange.js';

/**
 * Whether a target of `provider` answers a dialect endpoint natively for a body naming `model`: its
 * adapter has the dialect's native route, and the route takes the model (Bedrock and Vertex AI: Claude
 * only). `messages.count_tokens` is answered only natively ({@link callDialect}: a 501 elsewhere), so a
 * router can keep a count off the targets that cannot answer it. Pure; false for a provider pk has no
 * adapter for.
 */
export function answersNatively(endpoint: DialectEndpoint, provider: string, model: unknown): boolean {
  if (!isSupportedProviderId(provider)) return false;
  const native = getProviderAdapter(provider).nativeDialects?.[endpoint];
  return native !== undefined && (native.accepts?.({ body: { model } }) ?? true);
}

/** True for the endpoints of a client dialect other than chat completions. */
export function isDialectEndpoint(endpoint: ProviderEndpoint): endpoint is DialectEndpoint {
  return endpoint === 'messages' || endpoint === 'responses' || endpoint === 'messages.count_tokens';
}

const JSON_HEADERS = 'application/json';
const SSE_HEADERS = 'text/event-stream; charset=utf-8';

function answerHeaders(
  contentType: string,
  provider: string,
  upstream: Readonly<Record<string, string>>,
): Record<string, string> {
  return withPassedAnswerHeaders({ 'content-type': contentType, 'x-portkey-provider': provider }, upstream);
}

/**
 * A call in a client dialect (Anthropic Messages, OpenAI Responses). Where the provider speaks the
 * dialect natively (`adapter.nativeDialects`) the client's body goes upstream as it came (after
 * `override_params` and the provider's own `provider_options`, its tool call ids freed of Gemini
 * thought signatures) and the answer comes back as the provider gave it; elsewhere the body is translated to chat completions, sent through the adapter as
 * any chat call, and the answer (JSON or stream) translated back. `messages.count_tokens` is answered
 * only natively (a 501 `PK_ERR_NOT_IMPLEMENTED` elsewhere). Never throws, as {@link callProvider}.
 */
export async function callDialect(options: CallProviderOptions): Promise<ProviderAttemptOutcome> {
  const endpoint = options.request.endpoint as DialectEndpoint;
  const { leaf, target, overrideParams, providerId } = callTargetOf(options);
  const forwardedHeaders = options.request.forwardedHeaders;
  // Kept for the failure path: an error has the credentials the attempt used redacted from it.
  let attempt: ProviderContext | undefined;
  let built: BuiltRequest | undefined;
  try {
    const adapter = options.adapter ?? getProviderAdapter(providerId);
    const provider = providerId || adapter.id;
    const dialect = CLIENT_DIALECTS[endpoint === 'messages.count_tokens' ? 'messages' : endpoint];
    const strict = options.request.strictOpenAICompliance ?? leaf?.strict_open_ai_compliance ?? true;
    const context: ProviderContext = {
      provider,
      target,
      strictOpenAICompliance: dialect.keepsReasoning ? false : strict,
      // The dialect's own stop reason / status is made from OpenAI's finish reason, and from the
      // adapter's stop details where that says less.
      nativeFinishReasons: false,
      stopDetails: true,
      generateId: options.generateId ?? (() => `chatcmpl-${crypto.randomUUID()}`),
      now: options.now ?? Date.now,
    };
    attempt = context;
    const native = adapter.nativeDialects?.[endpoint];
    const prepared = prepareRequest({
      request: options.request,
      provider,
      target,
      ...(overrideParams ? { overrideParams } : {}),
    });
    if (native !== undefined && (native.accepts?.(prepared) ?? true)) {
      const nativeRequest = withoutThoughtSignatures(prepared, dialect);
      built = native.buildRequest(nativeRequest, context);
      const response = await sendUpstream(adapter, built, context, forwardedHeaders, options);
      if (!isSuccess(response)) {
        const parts = { target, context, built, forwardedHeaders };
        return await upstreamFailure(adapter, response, parts, options.signal);
      }
      const common = { provider, status: response.status, warnings: built.warnings };
      if (nativeRequest.stream && endpoint !== 'messages.count_tokens') {
        const translated = translateStream({
          body: response.body,
          decoder: native.createStreamDecoder?.() ?? createSseDecoder(),
          createTransformer: (onUsage) => dialect.createNativeStreamTransformer({ context, onUsage }),
          doneFrame: '',
          context,
        });
        const opening = await streamOpeningFailure(translated, provider);
        if (opening !== undefined)
          return scrubbedFailure(opening, { target, context, built, forwardedHeaders });
        return {
          ok: true,
          value: {
            ...common,
            kind: 'stream',
            ...translated,
            headers: answerHeaders(SSE_HEADERS, provider, response.headers),
          },
        };
      }
      const json = parseJsonAnswer(
        await readBodyText({ body: response.body, provider, signal: options.signal }),
        provider,
      );
      const answer =
        endpoint === 'messages.count_tokens'
          ? { body: (native.readCountTokensAnswer ?? countTokensAnswer)(json, provider), usage: undefined }
          : dialect.readNativeAnswer(json, provider);
      return {
        ok: true,
        value: {
          ...common,
          kind: 'json',
          ...answer,
          headers: answerHeaders(JSON_HEADERS, provider, response.headers),
        },
      };
    }
    if (endpoint === 'messages.count_tokens') {
      throw new PkError(
        'PK_ERR_NOT_IMPLEMENTED',
        `counting tokens is answered by Anthropic targets only, not by provider '${provider}'`,
      );
    }
    return await callTranslated({ options, adapter, dialect, context, overrideParams });
  } catch (error) {
    if (error instanceof PkError || UpstreamError.isInstance(error)) {
      return scrubbedFailure(failure(error), { target, context: attempt, built, forwardedHeaders });
    }
    return unexpectedFailure(providerId, error);
  }
}

/**
 * The prepared request with its tool call ids freed of Gemini thought signatures (only Gemini reads
 * them back, and no native target is Gemini); the request itself when none carries one.
 */
function withoutThoughtSignatures(prepared: PreparedCall, dialect: ClientDialect): PreparedCall {
  const body = dialect.withoutThoughtSignatures(prepared.body);
  return body === prepared.body ? prepared : { ...prepared, body };
}

/** Anthropic's `{"input_tokens": n}`, checked. */
function countTokensAnswer(json: unknown, provider: string): unknown {
  if (!isJsonObject(json) || typeof json.input_tokens !== 'number') throw unexpectedBodyError(provider);
  return json;
}

/** The dialect request through chat completions: translated, sent through the adapter, answered back. */
async function callTranslated(input: {
  readonly options: CallProviderOptions;
  readonly adapter: ProviderAdapter;
  readonly dialect: ClientDialect;
  readonly context: ProviderContext;
  readonly overrideParams: Readonly<Record<string, unknown>> | undefined;
}): Promise<ProviderAttemptOutcome> {
  const { options, adapter, dialect, context, overrideParams } = input;
  const clientBody = options.request.body ?? {};
  checkEndpointSupported(adapter, 'chat.completions');
  const translation = dialect.toChatRequest(clientBody, { provider: context.provider });
  const prepared = prepareRequest({
    request: { endpoint: 'chat.completions', body: translation.body },
    provider: context.provider,
    target: context.target,
    ...(overrideParams ? { overrideParams } : {}),
  });
  const built = adapter.buildRequest(prepared, context);
  const droppedChatParameters = droppedParametersOf(built.warnings);
  const forwardedHeaders = options.request.forwardedHeaders;
  const response = await sendUpstream(adapter, built, context, forwardedHeaders, options);
  const parts = () => ({ target: context.target, context, built, forwardedHeaders });
  if (!isSuccess(response)) return await upstreamFailure(adapter, response, parts(), options.signal);
  const common = {
    provider: context.provider,
    status: response.status,
    warnings: [...translation.warnings, ...built.warnings],
  };
  if (prepared.stream) {
    // The adapter's transformer is wrapped: vendor events → chat chunks → dialect events, in one pass.
    const translated = translateStream({
      body: response.body,
      decoder: adapter.createStreamDecoder?.() ?? createSseDecoder(),
      createTransformer: (onUsage) =>
        dialect.createChatStreamTransformer({
          inner: adapter.createStreamTransformer({ context, request: prepared, onUsage }),
          request: clientBody,
          context,
          droppedChatParameters,
        }),
      doneFrame: '',
      context,
    });
    const opening = await streamOpeningFailure(translated, context.provider);
    if (opening !== undefined) return scrubbedFailure(opening, parts());
    return {
      ok: true,
      value: {
        ...common,
        kind: 'stream',
        ...translated,
        headers: answerHeaders(SSE_HEADERS, context.provider, response.headers),
      },
    };
  }
  const json = parseJsonAnswer(
    await readBodyText({ body: response.body, provider: context.provider, signal: options.signal }),
    context.provider,
  );
  const parsed = chatCompletionSchema.safeParse(adapter.parseResponse(json, prepared, context));
  if (!parsed.success) throw unexpectedBodyError(context.provider);
  const completion = parsed.data;
  return {
    ok: true,
    value: {
      ...common,
      kind: 'json',
      body: dialect.fromChatCompletion(completion, clientBody, context, droppedChatParameters),
      usage: completion.usage,
      headers: answerHeaders(JSON_HEADERS, context.provider, response.headers),
    },
  };
}
