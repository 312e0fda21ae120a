import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { RequestLineWriter } from '../logging/request-line.js';

/** Status logged for a request whose client left before the answer was complete (nginx's convention). */
export const CLIENT_CLOSED_REQUEST_STATUS = 499;

/** What a route learns about a request and wants in its log line. Never credentials. */
export interface RequestLogFields {
  provider?: string;
  /**
   * The provider of the plan's first target, for a request no provider answered (refused by a limit,
   * a timeout …): `provider` stays unset; metrics label its `model` as that provider's, so a priced
   * model is not counted as `other`.
   */
  plannedProvider?: string;
  /**
   * Set when `provider` names the target a refusal was for, not a provider that answered (a deny by
   * hooks every target shares, when the config has one target): the log record names it, the metrics
   * count the request as every one no provider answered, `provider="none"`.
   */
  refusedBeforeRouting?: true;
  model?: string;
  /** JSON path of the target that answered (`config.targets[1]`), or the last one tried so far. */
  targetPath?: string;
  retries?: number;
  /** Calls made to providers for this request (retries and fallbacks included; cache hits not). */
  attempts?: number;
  cacheStatus?: string;
  /**
   * The semantic cache's embedding calls for this request (after an exact miss): how many, their
   * milliseconds in all, and whether one failed or timed out. Set only when there was one.
   */
  cache?: { embeddingCalls: number; embeddingMs: number; embeddingFailed: boolean };
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    total_tokens?: number;
    /** Prompt tokens read from the provider's prompt cache. */
    cached_tokens?: number;
    /** Prompt tokens written to the provider's prompt cache (Anthropic, Bedrock), priced apart. */
    cache_write_tokens?: number;
    reasoning_tokens?: number;
  };
  /** `finish_reason` of each choice of a JSON answer (`stop`, `length`, `tool_calls` …); never content. */
  finishReasons?: readonly string[];
  /** Model the provider says answered (may differ from the requested `model`). */
  answeredModel?: string;
  /**
   * Every attempt, in order: a fallback or a retry is one entry each (cache hits: none); one the
   * gateway refused itself is among them, marked `notSent`.
   */
  attemptLog?: readonly {
    targetPath: string;
    provider: string;
    /** When the call started, epoch milliseconds. */
    startedAt: number;
    status: number;
    latencyMs: number;
    errorCode?: string;
    /**
     * The gateway refused this attempt itself (a rate limit or budget of the target's key, the
     * target's input guardrail): nothing was sent to the provider, so it is no provider call.
     */
    notSent?: true;
  }[];
  /** Milliseconds from the request's arrival to the first byte sent to the client. */
  firstByteMs?: number;
  /**
   * Milliseconds the gateway itself took before the first byte: time to first byte minus the time
   * waiting on providers and the waits before retries ({@link retryWaitMs}).
   */
  overheadMs?: number;
  /** Milliseconds waited before retries (back-off, `Retry-After`); set only when a retry waited. */
  retryWaitMs?: number;
  /** Cost in USD from `@pk/prices`, or null when the model has no price (see `costStatus`). */
  cost?: number | null;
  /**
   * How `cost` was found: `priced`; `partial_usage` (priced from the usage a stream's provider had
   * reported when the stream broke or the client left, see {@link usagePartial}); `unknown_price`;
   * `no_usage` (a priced model whose answer had no token counts).
   */
  costStatus?: 'priced' | 'partial_usage' | 'unknown_price' | 'no_usage';
  /**
   * What `cost` is made of, when it is more than one answer's usage: a Realtime session with
   * input-audio transcriptions has its responses' part and each transcription model's part, each
   * with its own cost (null: not priced, and not in `cost`).
   */
  costParts?: readonly CostPart[];
  /** `provider`: `cost` is what the provider reported it charged (OpenRouter's `usage.cost`); unset: pk's price table. */
  costSource?: 'provider';
  /**
   * Set when `usage` is what a stream's provider had reported before the stream ended short (it broke,
   * ended with an error, or the client left): the input tokens and the output reported so far, not
   * the output streamed after that report.
   */
  usagePartial?: true;
  /** Ids of the config (saved config slug) and virtual key used, never a secret. */
  configId?: string;
  configVersion?: number;
  virtualKey?: string;
  /** Portkey's `x-portkey-span-id`, `-parent-span-id` and `-span-name`: the request's place in a trace tree. */
  spanId?: string;
  parentSpanId?: string;
  spanName?: string;
  /** The saved prompt and version a `/prompts/:id/completions` request ran (`pp-support-1a2b3c@2`). */
  prompt?: string;
  /** The proxy endpoint (`chat.completions`, `embeddings`, `passthrough` …): set for proxied requests only. */
  endpoint?: string;
  /** False when the client sent `x-portkey-debug: false`: nothing of its bodies may be stored. */
  debug?: boolean;
  metadata?: Readonly<Record<string, unknown>>;
  warnings?: readonly string[];
  stream?: boolean;
  /** Chunks of a stream sent to the client (for an abandoned stream: the chunks so far). */
  streamChunks?: number;
  errorCode?: string;
  /** Shadow cache mode: the similarity of the hit that was found but not served (1 for an exact hit). */
  shadowHitSimilarity?: number;
  /** Hooks that ran: id, verdict, duration in ms, before or after the provider call. */
  guardrails?: readonly { id: string; verdict: boolean; ms: number; event: 'before' | 'after' }[] | undefined;
}

/** One part of a request's cost ({@link RequestLogFields.costParts}). */
export interface CostPart {
  /** `responses`: a Realtime session's `response.done`s; `input_audio_transcription`: its transcriptions. */
  readonly part: 'responses' | 'input_audio_transcription';
  /** The model whose price applies (null: the session never named its transcription model). */
  readonly model: string | null;
  /** How many events the part sums. */
  readonly events: number;
  readonly total_tokens?: number;
  /** Seconds of audio, for a transcription model billed by duration (`whisper-1`). */
  readonly seconds?: number;
  /** USD, or null when the part could not be priced (then it is not in the request's cost). */
  readonly cost: number | null;
}

/**
 * What subscribers of {@link FastifyInstance.onRequestEnd} get, once per request, when its log line
 * is written: the log store, metrics and limit settlement all read the same end-of-request facts.
 */
export interface RequestEnd {
  readonly request: FastifyRequest;
  /** The status the client saw, or 499 when it left first. */
  readonly status: number;
  readonly latencyMs: number;
  readonly fields: RequestLogFields;
}

/**
 * The requests whose connection closed while a route still held their line ({@link holdRequestLog}):
 * their 499 line, and the record subscribers make of it, comes when the route lets go. At shutdown
 * the log store waits for them (`server.ts`), or their records would come after it closed.
 */
export class HeldRequestLines {
  #count = 0;
  #waiters: Array<() => void> = [];

  get count(): number {
    return this.#count;
  }

  held(): void {
    this.#count += 1;
  }

  written(): void {
    this.#count -= 1;
    if (this.#count > 0) return;
    for (const resume of this.#waiters.splice(0)) resume();
  }

  /** Resolves when no line is held any more, or after `timeoutMs`; true when none is. */
  whenNoneHeld(timeoutMs: number): Promise<boolean> {
    if (this.#count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

/** A subscriber to request ends; it must not throw (a throw is caught and warned about). */
export type RequestEndListener = (end: RequestEnd) => void;

declare module 'fastify' {
  interface FastifyInstance {
    /** Calls `listener` once for every request, after its log line (see {@link RequestEnd}). */
    onRequestEnd(listener: RequestEndListener): void;
    /** The subscribers of {@link onRequestEnd} (shared by every encapsulated context). */
    readonly requestEndListeners: RequestEndListener[];
    /** Writes a request's log line (see {@link RequestLogPluginOptions.line}). */
    readonly writeRequestLine: RequestLineWriter;
    /** Lines of requests whose client left while a route held them (see {@link HeldRequestLines}). */
    readonly heldRequestLines: HeldRequestLines;
  }
  interface FastifyRequest {
    /** Fields for this request's one log line (see {@link RequestLogFields}). */
    logFields: RequestLogFields;
    /** Set once the request's line was written: a request never gets two. */
    logWritten: boolean;
    /** Routes still adding fields: an abandoned request's line waits for them (see {@link holdRequestLog}). */
    logHolds: number;
    /** Set when the client left before the answer was complete. */
    clientLeft: boolean;
  }
}

function writeLine(request: FastifyRequest, reply: FastifyReply, status: number): void {
  if (request.logWritten) return;
  request.logWritten = true;
  // A request refused before this plugin's onRequest hook ran (the access guard's 401) has no fields
  // yet: subscribers still see its end (the metrics count it; nothing else records it).
  if (request.logFields === null) request.logFields = {};
  const latencyMs = Math.round(reply.elapsedTime * 100) / 100;
  const url = request.url;
  const query = url.indexOf('?');
  request.server.writeRequestLine(
    {
      traceId: request.traceId,
      method: request.method,
      path: query === -1 ? url : url.slice(0, query),
      status,
      latencyMs,
      tenant: request.tenant,
    },
    request.logFields,
  );
  const listeners = request.server.requestEndListeners;
  if (listeners.length === 0) return;
  const log = request.server.log;
  const end: RequestEnd = { request, status, latencyMs, fields: request.logFields };
  for (const listener of listeners) {
    try {
      listener(end);
    } catch (error) {
      log.warn({ err: { message: (error as Error).message } }, 'request-end subscriber failed');
    }
  }
}

/**
 * A route that keeps working after its client may have left (the proxy routes: the engine run, a
 * stream) holds the log line, so an abandoned request's line carries what the route learnt (target
 * path so far, chunks sent). Pair with {@link releaseRequestLog}, in a `finally`.
 */
export function holdRequestLog(request: FastifyRequest): void {
  request.logHolds += 1;
}

/** Ends a {@link holdRequestLog}: writes the 499 line now if the client left meanwhile. */
export function releaseRequestLog(request: FastifyRequest, reply: FastifyReply): void {
  request.logHolds -= 1;
  if (request.logHolds === 0 && request.clientLeft && !request.logWritten) {
    writeLine(request, reply, CLIENT_CLOSED_REQUEST_STATUS);
    request.server.heldRequestLines.written();
  }
}

/**
 * Ends a {@link holdRequestLog} of a route that answered outside fastify (a Realtime WebSocket
 * session, its reply hijacked): writes the line with `status` now, whether or not its connection
 * closed first, so a session that ended is not logged as a client that left.
 */
export function endHeldRequestLog(request: FastifyRequest, reply: FastifyReply, status: number): void {
  request.logHolds -= 1;
  if (request.logHolds !== 0 || request.logWritten) return;
  writeLine(request, reply, status);
  if (request.clientLeft) request.server.heldRequestLines.written();
}

/** Options of {@link requestLogPlugin}. */
export interface RequestLogPluginOptions {
  /**
   * Writes the line (default: `app.log.info(fields, 'request')`); `buildApp` passes
   * `requestLineWriter`'s for its logger options, the same line serialised in one go.
   */
  readonly line?: RequestLineWriter | undefined;
}

/**
 * Writes exactly one JSON log line per request: when its response has finished (streams included),
 * or, when the client left first (fastify's `onResponse` never runs then), with status 499 once the
 * route has let go of it. Fields: trace id, method, path (never the query string, which may carry
 * keys), status, latency, tenant, and what the route added (provider, model, target path, retries,
 * attempts, usage, cache status, metadata, warnings, chunks of a stream). Headers and bodies are
 * never logged, so credentials cannot leak through this line.
 */
export const requestLogPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: RequestLogPluginOptions) => {
    app.decorate(
      'writeRequestLine',
      options.line ?? ((head, fields) => app.log.info({ ...head, ...fields }, 'request')),
    );
    const held = new HeldRequestLines();
    app.decorate('heldRequestLines', held);
    // One array for the app: every encapsulated context sees the same (a decorated reference).
    const listeners: RequestEndListener[] = [];
    app.decorate('requestEndListeners', listeners);
    app.decorate('onRequestEnd', (listener: RequestEndListener) => {
      listeners.push(listener);
    });
    app.decorateRequest('logFields', null as unknown as RequestLogFields);
    app.decorateRequest('logWritten', false);
    app.decorateRequest('logHolds', 0);
    app.decorateRequest('clientLeft', false);
    // Callback hooks, not async ones: no promise and no extra microtask per request.
    app.addHook('onRequest', (request, reply, done) => {
      request.logFields = {};
      // `on`, not `once`: a response closes once, and `once` wraps every listener in two more objects.
      reply.raw.on('close', () => {
        if (reply.raw.writableFinished || request.logWritten) return;
        request.clientLeft = true;
        if (request.logHolds === 0) writeLine(request, reply, CLIENT_CLOSED_REQUEST_STATUS);
        else held.held();
      });
      done();
    });
    app.addHook('onResponse', (request, reply, done) => {
      writeLine(request, reply, reply.statusCode);
      done();
    });
  },
  { name: 'pk-request-log', dependencies: ['pk-trace-id', 'pk-access-guard'] },
);
