import type {
  AttemptFunction,
  AttemptOutcome,
  EngineCachePort,
  PkError,
  PlanLeaf,
  ResolvedPlan,
  RetryMode,
} from '@pk/config';
import {
  type CancellableByteStream,
  collectPlanHooks,
  type DeniedEnvelope,
  GuardrailDeniedError,
  guardMessagesSseStream,
  guardResponsesSseStream,
  guardSseStream,
  type HookContext,
  type HookResult,
  type HookResults,
  hookFailed,
  type PlanHooks,
  type RequestType,
  runHooks,
  type SseGuardOptions,
} from '@pk/guardrails';
import type {
  ClientDialect,
  ProviderAnswer,
  ProviderEndpoint,
  ProviderRequest,
  UpstreamError,
} from '@pk/providers';
import type { AsyncHookEvent } from './async-hook-runs.js';
import type { GatewayGuardrails } from './gateway-guardrails.js';

type ProviderOutcome = AttemptOutcome<ProviderAnswer, UpstreamError | PkError>;

/**
 * Portkey's request types for the endpoints hooks apply to; pass-through routes skip hooks. On the
 * dialect routes hooks read the client's own body and the answer in the same dialect, whichever
 * target answers (native, or translated through chat completions).
 */
const REQUEST_TYPES: Partial<Record<ProviderEndpoint, RequestType>> = {
  'chat.completions': 'chatComplete',
  completions: 'complete',
  embeddings: 'embed',
  messages: 'messages',
  responses: 'createModelResponse',
};

/** Request types whose streams are another API's events, not chat chunks. */
function isDialect(type: RequestType): boolean {
  return type === 'messages' || type === 'createModelResponse';
}

/**
 * Why a request on a dialect route (`/v1/messages`, `/v1/messages/count_tokens`, `/v1/responses`)
 * whose plan has hooks cannot run them, or `undefined` when it can: `count_tokens` has no request
 * type, so it is refused rather than sent with its hooks skipped. Only called for a request with
 * hooks on a dialect route.
 */
export function dialectHooksRefusal(endpoint: ProviderEndpoint, route: string): string | undefined {
  return REQUEST_TYPES[endpoint] === undefined
    ? `guardrails and hooks do not run on ${route}: this config has hooks, so the request was not sent`
    : undefined;
}

const encoder = new TextEncoder();

/**
 * A Messages stream that starts with Portkey's `event: hook_results` frame (strict OpenAI compliance
 * off); the Anthropic SDK skips events it does not know.
 */
function withHookResultsFrame(stream: CancellableByteStream, results: HookResults): CancellableByteStream {
  const frame = encoder.encode(`event: hook_results\ndata: ${JSON.stringify({ hook_results: results })}\n\n`);
  return {
    cancel: (reason) => stream.cancel(reason),
    async *[Symbol.asyncIterator]() {
      yield frame;
      yield* stream;
    },
  };
}

/** What one request's guard is built from. */
export interface RequestGuardInput {
  readonly plan: ResolvedPlan;
  readonly endpoint: ProviderEndpoint;
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
  /** The client's headers (only `default.jwt` reads them; never sent to webhooks or logged). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly stream: boolean;
  readonly strictOpenAICompliance: boolean;
  /** The route's client dialect (Messages, Responses): its error shape ends a denied stream. */
  readonly dialect?: ClientDialect | undefined;
  /** The client left. */
  readonly signal: AbortSignal;
  /**
   * Receives each `async` hook's run as it starts (a promise of its result, never rejecting): the
   * request's log line and record report it; the request never waits for it.
   */
  readonly onAsyncRun?: ((run: Promise<HookResult | undefined>, event: AsyncHookEvent) => void) | undefined;
}

/** What the hooks decided about one answer. */
interface AnswerHooks {
  readonly results: HookResults;
  readonly failed: boolean;
  /** A streamed answer a `deny` check ended with `event: error`. */
  readonly denied?: boolean;
}

function flatHeaders(headers: RequestGuardInput['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') flat[name] = value;
    else if (Array.isArray(value)) flat[name] = value.join(', ');
  }
  return flat;
}

/**
 * The hooks of one request, run where Portkey runs them (ARCHITECTURE §1, steps 5 and 8): hooks
 * every target shares once, before the cache and the routing ({@link runShared}); a target's own
 * before-request hooks and its after-request hooks around each call of that target
 * ({@link wrapAttempt}), so a 446 moves a fallback on; output checks on streams while they stream.
 * Built only for a request whose plan has hooks: without any, nothing here runs.
 */
export class RequestGuard {
  readonly #gateway: GatewayGuardrails;
  readonly #input: RequestGuardInput;
  readonly #hooks: PlanHooks;
  readonly #type: RequestType;
  readonly #answers = new WeakMap<ProviderAnswer, AnswerHooks>();
  #sharedResults: readonly HookResult[] = [];
  #sharedFailed = false;
  /** The last results seen (for the log line). */
  #lastResults: HookResults | undefined;
  /** The JSON answer the last attempt's after-request hooks denied: called, and billed, but not sent. */
  #deniedAnswer: Extract<ProviderAnswer, { kind: 'json' }> | undefined;

  private constructor(
    gateway: GatewayGuardrails,
    input: RequestGuardInput,
    hooks: PlanHooks,
    type: RequestType,
  ) {
    this.#gateway = gateway;
    this.#input = input;
    this.#hooks = hooks;
    this.#type = type;
  }

  /** The guard of a request whose plan has hooks, or `undefined` when none applies (other routes). */
  static create(gateway: GatewayGuardrails, input: RequestGuardInput): RequestGuard | undefined {
    const type = REQUEST_TYPES[input.endpoint];
    if (type === undefined) return undefined;
    const hooks = collectPlanHooks(input.plan, gateway.compiler);
    return hooks === undefined ? undefined : new RequestGuard(gateway, input, hooks, type);
  }

  #context(provider: string, body: Readonly<Record<string, unknown>>): HookContext {
    return {
      requestType: this.#type,
      provider,
      metadata: this.#input.metadata ?? {},
      request: { json: body, isStreamingRequest: this.#input.stream },
      headers: flatHeaders(this.#input.headers),
    };
  }

  #run(
    hooks: Parameters<typeof runHooks>[0]['hooks'],
    event: 'beforeRequestHook' | 'afterRequestHook',
    context: HookContext,
  ) {
    return runHooks({
      hooks,
      event,
      context,
      services: this.#gateway.services,
      signal: this.#input.signal,
      onAsyncRun: this.#asyncRuns(event === 'beforeRequestHook' ? 'before_request' : 'after_request'),
    });
  }

  /** Where the `async` hooks of one event go: the request's own handler (its trace id, its record). */
  #asyncRuns(event: AsyncHookEvent): ((run: Promise<HookResult | undefined>) => void) | undefined {
    const onAsyncRun = this.#input.onAsyncRun;
    return onAsyncRun === undefined ? undefined : (run) => onAsyncRun(run, event);
  }

  /**
   * Runs the before-request hooks every target shares, once. A deny is the 446 to answer with
   * (nothing was sent anywhere); otherwise the request to route (rewritten by mutators).
   */
  async runShared(
    request: ProviderRequest,
  ): Promise<
    | { readonly denied: GuardrailDeniedError; readonly body: Readonly<Record<string, unknown>> }
    | { readonly request: ProviderRequest }
  > {
    if (this.#hooks.shared.length === 0 || request.body === undefined) return { request };
    const provider =
      this.#input.plan.root.kind === 'leaf' ? String(this.#input.plan.root.target.provider ?? '') : '';
    const run = await this.#run(
      this.#hooks.shared,
      'beforeRequestHook',
      this.#context(provider, request.body),
    );
    this.#sharedResults = run.results;
    this.#sharedFailed = run.failed;
    if (run.deny) {
      const results = { before_request_hooks: run.results, after_request_hooks: [] };
      this.#lastResults = results;
      // The body as the hooks left it: what a mutator before the deny redacted stays redacted.
      return { denied: new GuardrailDeniedError(results), body: run.context.request.json };
    }
    const body = run.context.request.json;
    return { request: body === request.body ? request : { ...request, body } };
  }

  /** The engine's cache port, never used for a target that has before-request hooks of its own. */
  guardCache(
    port: EngineCachePort<ProviderRequest, ProviderAnswer>,
  ): EngineCachePort<ProviderRequest, ProviderAnswer> {
    return {
      ...port,
      key: (leaf, request) => (this.#hooks.before(leaf).length > 0 ? undefined : port.key(leaf, request)),
    };
  }

  /** Whether a target has output hooks (a cached answer it serves must meet them, see {@link guardCachedAnswer}). */
  hasOutputHooks(leaf: PlanLeaf): boolean {
    return this.#hooks.after(leaf).length > 0;
  }

  /**
   * A cached answer through the output hooks of the target it is served for, as that target's fresh
   * answer goes through them (Portkey runs none on a hit; pk does, with the hooks as they are now): a
   * deny is the 446 (before anything is sent, on a stream too), what a mutator changed is served, a failed check
   * makes a 246. `answer` is the stored JSON, judged whole (every check, webhooks too) also for a
   * streamed request, which then gets the result replayed ({@link cachedReplay}): nothing a check
   * denies is ever sent, where a fresh stream's whole-text checks can only report after the fact.
   * `request` is the request as routed (after the shared hooks): targets with input hooks of their
   * own never use the cache. Nothing was called, so nothing is billed: a deny here leaves no
   * {@link deniedAnswer}.
   */
  async guardCachedAnswer(
    leaf: PlanLeaf,
    request: ProviderRequest,
    answer: ProviderAnswer,
  ): Promise<ProviderOutcome> {
    const provider = String(leaf.target.provider ?? '');
    const outcome = await this.#afterHooks(
      leaf,
      provider,
      request,
      { ok: true, value: answer },
      this.#sharedResults,
      this.#sharedFailed,
    );
    this.#deniedAnswer = undefined;
    return outcome;
  }

  /**
   * The JSON answer an after-request hook denied in the last attempt (the 446 the request ends with
   * when nothing fell back): the provider was called and bills it, so its provider, model and usage
   * are the request's.
   */
  deniedAnswer(): Extract<ProviderAnswer, { kind: 'json' }> | undefined {
    return this.#deniedAnswer;
  }

  /** The engine's `attempt` with the target's own hooks around it. */
  wrapAttempt(
    attempt: AttemptFunction<ProviderRequest, ProviderAnswer, UpstreamError | PkError>,
  ): AttemptFunction<ProviderRequest, ProviderAnswer, UpstreamError | PkError> {
    return async (leaf, request, options) => {
      this.#deniedAnswer = undefined;
      const before = this.#hooks.before(leaf);
      const provider = String(leaf.target.provider ?? '');
      let sent = request;
      let beforeResults = this.#sharedResults;
      let beforeFailed = this.#sharedFailed;
      if (before.length > 0 && request.body !== undefined) {
        const run = await this.#run(before, 'beforeRequestHook', this.#context(provider, request.body));
        beforeResults = [...beforeResults, ...run.results];
        beforeFailed ||= run.failed;
        // Nothing was sent: Portkey answers this 446 without retrying, whatever on_status_codes says.
        if (run.deny)
          return this.#denied({ before_request_hooks: beforeResults, after_request_hooks: [] }, 'never');
        if (run.context.request.json !== request.body) sent = { ...request, body: run.context.request.json };
      }
      const outcome = await attempt(leaf, sent, options);
      if (!outcome.ok) return outcome;
      return this.#afterHooks(leaf, provider, sent, outcome, beforeResults, beforeFailed);
    };
  }

  /**
   * The `event: error` frame of a Messages stream a deny stopped: Anthropic's error body and
   * `hook_results`.
   */
  readonly #deniedFrame = (envelope: DeniedEnvelope): string => {
    const body = this.#input.dialect?.errorBody(envelope, 446) ?? envelope;
    return `event: error\ndata: ${JSON.stringify({ ...(body as object), hook_results: envelope.hook_results })}\n\n`;
  };

  /**
   * The Responses API's `error` event ending a stream a deny stopped, as the dialect sends its other
   * stream errors (`type`, `code`, `message`, `param`, `sequence_number` after the events sent, and
   * the envelope's `error` the openai SDK raises), with `hook_results` beside.
   */
  readonly #deniedResponsesFrame = (envelope: DeniedEnvelope, sequenceNumber: number): string => {
    const extra = { hook_results: envelope.hook_results };
    return (
      this.#input.dialect?.errorFrame(envelope, { sequenceNumber, extra }) ??
      `event: error\ndata: ${JSON.stringify({ ...envelope, ...extra })}\n\n`
    );
  };

  /**
   * A target's 446. `retryMode` is how its `retry` treats it (with 446 in `on_status_codes`), as
   * Portkey does: an input deny is never retried; an answer an output hook denied is asked again at
   * once, with no back-off (Portkey's hook-level retry re-sends straight away).
   */
  #denied(results: HookResults, retryMode: RetryMode): ProviderOutcome {
    this.#lastResults = results;
    return { ok: false, status: 446, retryMode, error: new GuardrailDeniedError(results) };
  }

  async #afterHooks(
    leaf: PlanLeaf,
    provider: string,
    request: ProviderRequest,
    outcome: Extract<ProviderOutcome, { ok: true }>,
    beforeResults: readonly HookResult[],
    beforeFailed: boolean,
  ): Promise<ProviderOutcome> {
    const answer = outcome.value;
    const after = this.#hooks.after(leaf);
    const context = this.#context(provider, request.body ?? {});
    // Without after-request hooks a stream is still wrapped when the client asked for hook results
    // (strict compliance off), so the before-request hooks' results end it (nothing is held back).
    const reportOnStream = !this.#input.strictOpenAICompliance && beforeResults.length > 0;
    if (answer.kind === 'stream' && isDialect(this.#type) && after.length === 0) {
      // Nothing to hold back: the input hooks' results are reported (first, on a Messages stream).
      const results = { before_request_hooks: beforeResults, after_request_hooks: [] };
      const value: ProviderAnswer =
        reportOnStream && this.#type === 'messages'
          ? { ...answer, stream: withHookResultsFrame(answer.stream, results) }
          : answer;
      this.#record(value, results, beforeFailed);
      return { ...outcome, value, ...(beforeFailed ? { status: 246 } : {}) };
    }
    if (answer.kind === 'stream' && (after.length > 0 || reportOnStream)) {
      const record: { results: HookResults; failed: boolean; denied?: boolean } = {
        results: { before_request_hooks: beforeResults, after_request_hooks: [] },
        failed: beforeFailed,
      };
      const options: SseGuardOptions = {
        hooks: after,
        context,
        services: this.#gateway.services,
        beforeResults,
        holdbackChars: this.#gateway.holdbackChars,
        strictOpenAICompliance: this.#input.strictOpenAICompliance,
        signal: this.#input.signal,
        onAsyncRun: this.#asyncRuns('after_request'),
        onResults: (results) => {
          record.results = results;
          record.failed ||= results.after_request_hooks.some(hookFailed);
          this.#lastResults = results;
        },
        onDenied: () => {
          record.denied = true;
        },
      };
      const stream =
        this.#type === 'messages'
          ? guardMessagesSseStream(answer.stream, { ...options, deniedFrame: this.#deniedFrame })
          : this.#type === 'createModelResponse'
            ? guardResponsesSseStream(answer.stream, { ...options, deniedFrame: this.#deniedResponsesFrame })
            : guardSseStream(answer.stream, options);
      const guarded: ProviderAnswer = { ...answer, stream };
      this.#answers.set(guarded, record);
      return { ...outcome, value: guarded, ...(beforeFailed ? { status: 246 } : {}) };
    }
    if (answer.kind !== 'json' || after.length === 0) {
      this.#record(answer, { before_request_hooks: beforeResults, after_request_hooks: [] }, beforeFailed);
      return beforeFailed ? { ...outcome, status: 246 } : outcome;
    }
    const body = answer.body as Readonly<Record<string, unknown>>;
    const run = await this.#run(after, 'afterRequestHook', {
      ...context,
      response: { json: body, statusCode: answer.status },
    });
    const results = { before_request_hooks: beforeResults, after_request_hooks: run.results };
    if (run.deny) {
      this.#deniedAnswer = answer;
      return this.#denied(results, 'immediately');
    }
    const json = run.context.response?.json;
    const value: ProviderAnswer = json !== undefined && json !== body ? { ...answer, body: json } : answer;
    const failed = beforeFailed || run.failed;
    this.#record(value, results, failed);
    // A failed (not denied) answer is a 246: the engine never caches it.
    return { ...outcome, value, ...(failed ? { status: 246 } : {}) };
  }

  #record(answer: ProviderAnswer, results: HookResults, failed: boolean): void {
    this.#answers.set(answer, { results, failed });
    this.#lastResults = results;
  }

  /** What the hooks made of an answer (a cached one of a target without output hooks saw only the shared ones). */
  #of(answer: ProviderAnswer): AnswerHooks {
    return (
      this.#answers.get(answer) ?? {
        results: { before_request_hooks: this.#sharedResults, after_request_hooks: [] },
        failed: this.#sharedFailed,
      }
    );
  }

  /** The JSON reply: `hook_results` added to the body, 246 when a hook failed (Portkey). */
  jsonReply(answer: ProviderAnswer & { kind: 'json' }): { status: number; body: unknown } {
    const { results, failed } = this.#of(answer);
    const hasResults = results.before_request_hooks.length > 0 || results.after_request_hooks.length > 0;
    const isObject = typeof answer.body === 'object' && answer.body !== null && !Array.isArray(answer.body);
    return {
      status: failed && answer.status === 200 ? 246 : answer.status,
      body: hasResults && isObject ? { ...(answer.body as object), hook_results: results } : answer.body,
    };
  }

  /**
   * A cached answer replayed to a streamed request, once {@link guardCachedAnswer} judged it whole:
   * 246 when a hook failed; with strict compliance off the hooks' results in the frame a fresh stream
   * of the route carries them in (`data: {"hook_results": …}` before `[DONE]` on chat, an
   * `event: hook_results` before `message_stop` on Messages).
   */
  cachedReplay(answer: ProviderAnswer, text: string): { status: number; text: string } {
    const { results, failed } = this.#of(answer);
    const status = failed ? 246 : 200;
    const hasResults = results.before_request_hooks.length > 0 || results.after_request_hooks.length > 0;
    if (this.#input.strictOpenAICompliance || !hasResults) return { status, text };
    const data = JSON.stringify({ hook_results: results });
    if (this.#type === 'messages') {
      const at = text.lastIndexOf('event: message_stop');
      const frame = `event: hook_results\ndata: ${data}\n\n`;
      return { status, text: at < 0 ? text + frame : text.slice(0, at) + frame + text.slice(at) };
    }
    if (this.#type === 'chatComplete') {
      const at = text.lastIndexOf('data: [DONE]');
      const frame = `data: ${data}\n\n`;
      return { status, text: at < 0 ? text + frame : text.slice(0, at) + frame + text.slice(at) };
    }
    return { status, text };
  }

  /** The status a stream starts with: 246 when a before-request hook failed. */
  streamStatus(answer: ProviderAnswer): number {
    return this.#of(answer).failed ? 246 : 200;
  }

  /** Whether a (finished) streamed answer was ended by a `deny` check (`event: error`, 446). */
  streamDenied(answer: ProviderAnswer): boolean {
    return this.#of(answer).denied === true;
  }

  /** Whether a (finished) streamed answer failed a hook: such an answer is not cached. */
  answerFailed(answer: ProviderAnswer): boolean {
    return this.#of(answer).failed;
  }

  /** The results of the hooks that ran last (the shared ones when no target's ran), for the log record. */
  hookResults(): HookResults {
    return this.#lastResults ?? { before_request_hooks: this.#sharedResults, after_request_hooks: [] };
  }

  /** A compact view for the request's log line: each hook's id, verdict and duration. */
  logSummary(): { id: string; verdict: boolean; ms: number; event: 'before' | 'after' }[] | undefined {
    const results = this.hookResults();
    const line = (event: 'before' | 'after') => (result: HookResult) => ({
      id: result.id,
      verdict: result.verdict,
      ms: result.execution_time,
      event,
    });
    const entries = [
      ...results.before_request_hooks.map(line('before')),
      ...results.after_request_hooks.map(line('after')),
    ];
    return entries.length > 0 ? entries : undefined;
  }
}
