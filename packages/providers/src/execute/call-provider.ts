import { type AttemptFunction, type AttemptOutcome, PkError, type PlanLeaf } from '@pk/config';
import { type OpenAIUsage, reportedUsageOf } from '../openai-format/usage.js';
import { getProviderAdapter } from '../registry/registry.js';
import { rememberAnswerJson } from '../shared/body-json.js';
import { refuseWhatTheTargetCannotTake } from '../shared/chat-refusals.js';
import { encodeEmbeddingsAnswerAsBase64 } from '../shared/embeddings-base64.js';
import { isJsonObject } from '../shared/json.js';
import { prepareRequest } from '../shared/prepare-request.js';
import type {
  AdapterEndpoint,
  BuiltRequest,
  ProviderAdapter,
  ProviderAuthSettings,
  ProviderContext,
  ProviderRequest,
  ProviderTarget,
} from '../spec/provider-adapter.js';
import { createMemoryTokenCache, type TokenCache } from '../spec/token-cache.js';
import { UpstreamError } from '../spec/upstream-error.js';
import type { ByteStream } from '../spec/upstream-request.js';
import { withPassedAnswerHeaders, withPassedRawAnswerHeaders } from './answer-headers.js';
import { batchOutputIdOf, callBatchOutput } from './batch-output-call.js';
import { callDialect, isDialectEndpoint } from './call-dialect.js';
import { checkEndpointSupported } from './endpoint-support.js';
import { callFilesAndBatches } from './files-and-batches-call.js';
import { modelListCallOf } from './model-list-call.js';
import { readBodyText } from './read-body.js';
import { streamOpeningFailure } from './stream-opening.js';
import { type StreamProgress, translateAdapterStream } from './stream-pipeline.js';
import type { Transport } from './transport.js';
import {
  failure,
  isSuccess,
  parseJsonAnswer,
  scrubbedFailure,
  sendUpstream,
  unexpectedFailure,
  upstreamFailure,
} from './upstream-exchange.js';

/** What every successful answer carries. */
interface ProviderAnswerCommon {
  /** The provider id that answered (the gateway sends it as `x-portkey-provider`). */
  readonly provider: string;
  /** The upstream status (2xx). */
  readonly status: number;
  /** Headers for the client: `content-type` and `x-portkey-provider`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parameters dropped on the way (for `x-pk-warnings` and the log). */
  readonly warnings: readonly string[];
}

/** A successful provider answer: OpenAI JSON, an OpenAI SSE stream, or pass-through bytes. */
export type ProviderAnswer =
  | (ProviderAnswerCommon & {
      readonly kind: 'json';
      readonly body: unknown;
      readonly usage: OpenAIUsage | undefined;
    })
  | (ProviderAnswerCommon & {
      readonly kind: 'stream';
      /** OpenAI SSE bytes; `cancel` it if you stop reading (the upstream is released). */
      readonly stream: ByteStream;
      readonly usage: Promise<OpenAIUsage | undefined>;
      /** How many chunks the stream has handed on so far. */
      readonly progress?: StreamProgress;
    })
  | (ProviderAnswerCommon & {
      readonly kind: 'raw';
      /** The upstream's bytes as they come (a Node `Readable` from the undici transport). */
      readonly body: AsyncIterable<Uint8Array>;
    });

/** The routing engine's `AttemptOutcome` for a provider call. */
export type ProviderAttemptOutcome = AttemptOutcome<ProviderAnswer, UpstreamError | PkError>;

/** Options of {@link callProvider}. */
export interface CallProviderOptions {
  /** A plan leaf, or a bare target record (`provider`, `api_key`, `override_params` …). */
  readonly target: PlanLeaf | ProviderTarget;
  /** The OpenAI-format request. */
  readonly request: ProviderRequest;
  /** The network port (see `createUndiciTransport`). */
  readonly transport: Transport;
  /** The engine's per-attempt signal. */
  readonly signal?: AbortSignal | undefined;
  /** Id generator for answers without a vendor id (default `chatcmpl-<uuid>`). */
  readonly generateId?: (() => string) | undefined;
  /** Clock in ms (default `Date.now`). */
  readonly now?: (() => number) | undefined;
  /** Use this adapter instead of the registry's (tests, custom providers). */
  readonly adapter?: ProviderAdapter;
  /**
   * Where exchanged tokens are cached (Google service accounts). Without one, each call exchanges its
   * own token; {@link createProviderAttempt} keeps one per attempt function.
   */
  readonly tokenCache?: TokenCache | undefined;
  /** Settings of the authorization step no request can change (trusted token endpoints). */
  readonly authSettings?: ProviderAuthSettings | undefined;
}

function isPlanLeaf(value: PlanLeaf | ProviderTarget): value is PlanLeaf {
  return (
    (value as { kind?: unknown }).kind === 'leaf' && isJsonObject((value as { target?: unknown }).target)
  );
}

/** The target, its leaf and override parameters, and the provider id of a call. */
export interface CallTarget {
  readonly leaf: PlanLeaf | undefined;
  readonly target: ProviderTarget;
  readonly overrideParams: Readonly<Record<string, unknown>> | undefined;
  readonly providerId: string;
}

/** Reads the target of a call (a plan leaf or a bare target record). */
export function callTargetOf(options: CallProviderOptions): CallTarget {
  const leaf = isPlanLeaf(options.target) ? options.target : undefined;
  const target: ProviderTarget = leaf ? leaf.target : (options.target as ProviderTarget);
  const overrideParams = leaf ? leaf.override_params : target.override_params;
  return {
    leaf,
    target,
    overrideParams: isJsonObject(overrideParams) ? overrideParams : undefined,
    providerId: typeof target.provider === 'string' ? target.provider : '',
  };
}

/**
 * One provider call: shared preparation → adapter `buildRequest` → `transport.send` → `parseResponse`,
 * stream transformer or `parseError`. Never throws: every failure is an outcome the engine can route on.
 * A dialect endpoint (`messages`, `responses` …) goes to {@link callDialect}: native where the provider
 * speaks the dialect, else translated to chat completions and back.
 */
export async function callProvider(options: CallProviderOptions): Promise<ProviderAttemptOutcome> {
  if (isDialectEndpoint(options.request.endpoint)) return callDialect(options);
  const leaf = isPlanLeaf(options.target) ? options.target : undefined;
  const target: ProviderTarget = leaf ? leaf.target : (options.target as ProviderTarget);
  const overrideParams = leaf ? leaf.override_params : target.override_params;
  const providerId = typeof target.provider === 'string' ? target.provider : '';
  // Kept for the failure path: an error has the credentials the attempt used redacted from it.
  let context: ProviderContext | undefined;
  let built: BuiltRequest | undefined;
  try {
    const adapter = options.adapter ?? getProviderAdapter(providerId);
    const endpoint = options.request.endpoint as AdapterEndpoint;
    // `GET /models` of a provider without pass-through, asked of its own models API (Anthropic's).
    const modelList = endpoint === 'passthrough' ? modelListCallOf(adapter, options.request) : undefined;
    // Files and batches of a provider that runs them on its own APIs (Bedrock: S3 and batch jobs).
    const filesAndBatches =
      endpoint === 'passthrough' && adapter.filesAndBatches?.accepts(options.request) === true
        ? adapter.filesAndBatches
        : undefined;
    if (modelList === undefined && filesAndBatches === undefined)
      checkEndpointSupported(adapter, endpoint, options.request.path);
    // Decision 0006: the header's `false` or the config's `false` turns it off; default on.
    const strict =
      options.request.strictOpenAICompliance !== false && leaf?.strict_open_ai_compliance !== false;
    context = {
      provider: providerId || adapter.id,
      target,
      strictOpenAICompliance: strict,
      nativeFinishReasons: !strict,
      generateId: options.generateId ?? (() => `chatcmpl-${crypto.randomUUID()}`),
      now: options.now ?? Date.now,
    };
    const prepared = prepareRequest({
      request: options.request,
      provider: context.provider,
      target,
      ...(isJsonObject(overrideParams) ? { overrideParams } : {}),
    });
    // Per attempt, as a dialect's translation: a fallback moves on from a target that cannot take it.
    if (prepared.endpoint === 'chat.completions') {
      const model = typeof prepared.body.model === 'string' ? prepared.body.model : '';
      refuseWhatTheTargetCannotTake(prepared.body, { provider: context.provider, model });
    }
    if (filesAndBatches !== undefined) {
      const forwardedHeaders = options.request.forwardedHeaders;
      const route = filesAndBatches;
      const request = options.request;
      return await callFilesAndBatches({
        adapter,
        route,
        prepared,
        context,
        forwardedHeaders,
        options,
        request,
      });
    }
    // Portkey's `GET /batches/{id}/output`: the batch, then its output file (two upstream calls).
    const batchId = endpoint === 'passthrough' ? batchOutputIdOf(options.request) : undefined;
    if (batchId !== undefined) {
      const forwardedHeaders = options.request.forwardedHeaders;
      return await callBatchOutput({ adapter, prepared, context, batchId, forwardedHeaders, options });
    }
    built =
      modelList === undefined
        ? adapter.buildRequest(prepared, context)
        : modelList.route.buildRequest(modelList.path, context);
    const forwardedHeaders = options.request.forwardedHeaders;
    const response = await sendUpstream(adapter, built, context, forwardedHeaders, options);
    if (!isSuccess(response)) {
      const parts = { target, context, built, forwardedHeaders };
      return await upstreamFailure(adapter, response, parts, options.signal);
    }
    // Answers are written out field by field, not spread from a common part: in V8 each property after
    // a spread in an object literal is defined through an inline cache that misses here (~1k
    // instructions each, counted with bench/instructions.mjs).
    const contentType = response.headers['content-type'] ?? 'application/octet-stream';
    if (prepared.endpoint === 'passthrough' && modelList === undefined) {
      return {
        ok: true,
        value: {
          provider: context.provider,
          status: response.status,
          warnings: built.warnings,
          kind: 'raw',
          body: response.body,
          headers: withPassedRawAnswerHeaders(
            { 'content-type': contentType, 'x-portkey-provider': context.provider },
            response.headers,
          ),
        },
      };
    }
    if (prepared.stream) {
      const translated = translateAdapterStream({ body: response.body, adapter, request: prepared, context });
      const opening = await streamOpeningFailure(translated, context.provider);
      if (opening !== undefined)
        return scrubbedFailure(opening, { target, context, built, forwardedHeaders });
      return {
        ok: true,
        value: {
          provider: context.provider,
          status: response.status,
          warnings: built.warnings,
          kind: 'stream',
          ...translated,
          headers: withPassedAnswerHeaders(
            { 'content-type': 'text/event-stream; charset=utf-8', 'x-portkey-provider': context.provider },
            response.headers,
          ),
        },
      };
    }
    const text = await readBodyText({
      body: response.body,
      provider: context.provider,
      signal: options.signal,
    });
    const json = parseJsonAnswer(text, context.provider);
    const parsed =
      modelList === undefined
        ? adapter.parseResponse(json, prepared, context)
        : modelList.route.parseResponse(json);
    const body = prepared.wantsBase64Embeddings ? encodeEmbeddingsAnswerAsBase64(parsed) : parsed;
    // An answer that needed no translation goes back (and into a cache) as the upstream's text.
    if (body === json && isJsonObject(json)) rememberAnswerJson(json, text);
    const usage = reportedUsageOf(parsed);
    return {
      ok: true,
      value: {
        provider: context.provider,
        status: response.status,
        warnings: built.warnings,
        kind: 'json',
        body,
        usage,
        headers: withPassedAnswerHeaders(
          { 'content-type': 'application/json', 'x-portkey-provider': context.provider },
          response.headers,
        ),
      },
    };
  } catch (error) {
    if (error instanceof PkError || UpstreamError.isInstance(error)) {
      const forwardedHeaders = options.request.forwardedHeaders;
      return scrubbedFailure(failure(error), { target, context, built, forwardedHeaders });
    }
    return unexpectedFailure(providerId, error);
  }
}

/**
 * The engine's `attempt` port over {@link callProvider}: `runPlan(plan, request, { attempt, … })`.
 * The engine's signal fires for the per-attempt timeout only until this resolves, and for the client
 * leaving also while a stream flows.
 */
export function createProviderAttempt(options: {
  readonly transport: Transport;
  readonly generateId?: () => string;
  readonly now?: () => number;
  /** Token cache shared by every call of this attempt function (default: a new in-memory one). */
  readonly tokenCache?: TokenCache;
  /** See {@link CallProviderOptions.authSettings}. */
  readonly authSettings?: ProviderAuthSettings;
}): AttemptFunction<ProviderRequest, ProviderAnswer, UpstreamError | PkError> {
  const tokenCache = options.tokenCache ?? createMemoryTokenCache();
  // One literal of fixed shape per call (a spread of `options` made each call's object in V8's runtime).
  const { transport, generateId, now, authSettings } = options;
  return (target, request, attemptOptions) =>
    callProvider({
      target,
      request,
      transport,
      signal: attemptOptions.signal,
      generateId,
      now,
      tokenCache,
      authSettings,
    });
}
