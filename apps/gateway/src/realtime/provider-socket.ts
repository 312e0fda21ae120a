import type { IncomingMessage } from 'node:http';
import {
  type AttemptOutcome,
  createErrorEnvelope,
  PkError,
  type PlanLeaf,
  parseRetryAfter,
} from '@pk/config';
import {
  type createAddressGuard,
  customHostRefusalOf,
  type ProviderTarget,
  toAzureOpenAIRealtimeRequest,
  toOpenAIRequest,
} from '@pk/providers';
import { WebSocket } from 'ws';
import { providerErrorCodeOf } from '../request-facts/provider-error-code.js';
import { proxyUrlFor, type RealtimeProxy, tunnelThrough } from './proxy-tunnel.js';

/** The largest message relayed either way (OpenAI's events are far smaller; audio comes in chunks). */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** How long the provider has to accept the WebSocket. */
const UPSTREAM_HANDSHAKE_MS = 10_000;
/** The most of a provider's refusal (its HTTP answer to the upgrade) read and passed on. */
const MAX_REFUSAL_BYTES = 64 * 1024;

/** Providers whose Realtime API pk relays. */
export const REALTIME_PROVIDERS: ReadonlySet<string> = new Set(['openai', 'azure-openai']);

/** Where one target's provider socket is dialled: its URL and the headers of the upgrade. */
export interface ProviderSocketRequest {
  readonly provider: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  /** The model the session asks this target for (the `model` of the URL's query). */
  readonly model: string;
}

/**
 * A provider's HTTP answer to the upgrade that was not a 101: what the client is answered when it is
 * the last target's (its status and JSON error as they came, as a pass-through answer is; else a 502
 * in pk's envelope saying what it answered).
 */
export class ProviderRefusal {
  readonly answerStatus: number;
  readonly body: unknown;
  /**
   * The provider's own error code (`invalid_api_key`, `rate_limit_exceeded`), else its error type
   * (`server_error`), as an HTTP attempt's log entry records it; undefined when its answer was not
   * its JSON error.
   */
  readonly providerErrorCode: string | undefined;
  /**
   * The session's record's error code when this is its answer, as a refused request's: the provider's
   * code or type, else its status as text (`"500"`), else (not its JSON error) pk's
   * `PK_ERR_UPSTREAM_UNAVAILABLE` the client is answered with.
   */
  readonly recordCode: string;
  constructor(answerStatus: number, body: unknown, recordCode: string, providerErrorCode?: string) {
    this.answerStatus = answerStatus;
    this.body = body;
    this.recordCode = recordCode;
    this.providerErrorCode = providerErrorCode;
  }
}

/** What opening one target's socket ends with: the open socket, or a failed attempt of the engine. */
export type SocketOutcome = AttemptOutcome<WebSocket, ProviderRefusal | PkError>;

/**
 * The provider's WebSocket URL as `ws(s)://`: OpenAI's API base (or the custom host) with
 * `/realtime?<query>`; Azure OpenAI's resource (or custom host) with `/openai/realtime?<query>&
 * api-version=…&deployment=…` (`toAzureOpenAIRealtimeRequest`, as Portkey builds it).
 */
function upstreamOf(
  leaf: PlanLeaf,
  query: URLSearchParams,
): { readonly url: URL; readonly headers: Record<string, string> } {
  if (leaf.target.provider === 'azure-openai') {
    const azure = toAzureOpenAIRealtimeRequest(leaf.target as ProviderTarget, query);
    const url = new URL(azure.url);
    url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
    return { url, headers: { ...azure.headers } };
  }
  const built = toOpenAIRequest(
    {
      endpoint: 'passthrough',
      body: {},
      providerOptions: {},
      stream: false,
      clientWantsUsage: false,
      path: `/realtime?${query.toString()}`,
      method: 'GET',
    },
    {
      provider: 'openai',
      target: leaf.target as ProviderTarget,
      strictOpenAICompliance: false,
      nativeFinishReasons: false,
      generateId: () => '',
      now: Date.now,
    },
  );
  const url = new URL(built.upstream.url);
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  return { url, headers: { ...built.upstream.headers } };
}

/**
 * One target's provider socket request, or the refusal its target gets before anything is sent (a
 * provider without a Realtime API, no model, no provider key, a custom host that is an address pk
 * does not dial). `model` is the plan's (a `@virtual-key/model`), over the target's
 * `override_params.model`, over the client's `?model=`.
 */
export function providerSocketRequestOf(
  leaf: PlanLeaf,
  clientQuery: URLSearchParams,
  model: string | undefined,
  openaiBeta: string | undefined,
  checkLiteral: ReturnType<typeof createAddressGuard>['checkLiteral'],
): ProviderSocketRequest | PkError {
  const provider = leaf.target.provider ?? '';
  if (!REALTIME_PROVIDERS.has(provider)) {
    return new PkError(
      'PK_ERR_UNSUPPORTED_ENDPOINT',
      `the provider ${provider} has no Realtime API in pk; it is relayed to openai and azure-openai only`,
    );
  }
  const query = new URLSearchParams(clientQuery);
  const sentModel =
    model ?? (typeof leaf.override_params.model === 'string' ? leaf.override_params.model : undefined);
  if (sentModel !== undefined) query.set('model', sentModel);
  const sessionModel = query.get('model');
  if (sessionModel === null) {
    return new PkError('PK_ERR_INVALID_REQUEST', 'the Realtime API needs a model: /v1/realtime?model=…');
  }
  let upstream: ReturnType<typeof upstreamOf>;
  try {
    upstream = upstreamOf(leaf, query);
  } catch (error) {
    if (error instanceof PkError) return error;
    throw error;
  }
  if (upstream.headers.authorization === undefined && upstream.headers['api-key'] === undefined) {
    return new PkError(
      'PK_ERR_UNAUTHORIZED',
      'no provider key: send Authorization: Bearer <OpenAI key> with x-portkey-provider, or use a virtual key or config',
    );
  }
  if (openaiBeta !== undefined) upstream.headers['openai-beta'] = openaiBeta;
  const literal = checkLiteral(upstream.url.hostname);
  if (literal) return new PkError('PK_ERR_INVALID_CUSTOM_HOST', literal.message);
  return { provider, url: upstream.url, headers: upstream.headers, model: sessionModel };
}

/**
 * The refusal of a provider's HTTP answer to the upgrade: its status (what retries and fallbacks
 * judge) and what the client is answered if no other target opens.
 */
async function providerRefusal(response: IncomingMessage): Promise<SocketOutcome> {
  const status = response.statusCode ?? 502;
  const retryAfterMs = parseRetryAfter(response.headers, Date.now());
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_REFUSAL_BYTES) break;
      chunks.push(chunk);
    }
  } catch {
    // What was read is enough.
  }
  response.destroy();
  let refusal: ProviderRefusal | undefined;
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (typeof body === 'object' && body !== null && 'error' in body) {
      const { error } = body as { error: unknown };
      const code =
        typeof error === 'object' && error !== null
          ? providerErrorCodeOf(error as { code?: unknown; type?: unknown })
          : undefined;
      refusal = new ProviderRefusal(status, body, code ?? String(status), code);
    }
  } catch {
    // Not JSON: said in pk's envelope below.
  }
  refusal ??= new ProviderRefusal(
    502,
    createErrorEnvelope({
      code: 'PK_ERR_UPSTREAM_UNAVAILABLE',
      message: `the provider answered the Realtime upgrade with HTTP ${status}, not 101`,
    }),
    'PK_ERR_UPSTREAM_UNAVAILABLE',
  );
  return { ok: false, status, error: refusal, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
}

/**
 * Opens one target's provider socket: resolves with it once open (paused: nothing is read before the
 * relay listens), else with a failed attempt: the provider's answer to the upgrade (its status), or a
 * 502 `connectionError` when it could not be reached (refused, reset, the 10 s handshake timeout). The
 * engine's `signal` (the attempt's `request_timeout`, the request deadline, the client leaving) ends
 * the attempt, rejecting with its reason (the engine made the outcome): the socket is never left open
 * behind it.
 */
export function openProviderSocket(
  request: ProviderSocketRequest,
  lookup: ReturnType<typeof createAddressGuard>['lookup'],
  proxy: RealtimeProxy | undefined,
  signal: AbortSignal,
  extraHeaders?: Readonly<Record<string, string>>,
): Promise<SocketOutcome> {
  return new Promise((resolve, reject) => {
    const { url } = request;
    const proxyUrl = proxyUrlFor(url, proxy);
    const socket = new WebSocket(url, {
      headers: extraHeaders === undefined ? request.headers : { ...request.headers, ...extraHeaders },
      lookup,
      ...(proxyUrl === undefined
        ? {}
        : { createConnection: tunnelThrough(proxyUrl, url.protocol === 'wss:', UPSTREAM_HANDSHAKE_MS) }),
      handshakeTimeout: UPSTREAM_HANDSHAKE_MS,
      perMessageDeflate: false,
      maxPayload: MAX_MESSAGE_BYTES,
      followRedirects: false,
    } as ConstructorParameters<typeof WebSocket>[2]);
    const stop = (): void => socket.terminate();
    signal.addEventListener('abort', stop, { once: true });
    let settled = false;
    const settle = (outcome: SocketOutcome): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', stop);
      resolve(outcome);
    };
    socket.once('open', () => {
      if (signal.aborted) {
        // Opened as the attempt ended: closed at once, never relayed.
        socket.terminate();
        settled = true;
        reject(signal.reason);
        return;
      }
      // Not read until the relay listens: a first event (`session.created`) would be lost before it.
      socket.pause();
      // 101: the status the log's attempt records (a session's opening is no 200).
      settle({ ok: true, value: socket, status: 101 });
    });
    socket.once('unexpected-response', (_request, response: IncomingMessage) => {
      void providerRefusal(response).then(settle);
    });
    socket.on('error', (error: Error) => {
      if (settled) return;
      if (signal.aborted) {
        // Ended by the engine (a timeout, the deadline, the client gone): its outcome is the engine's.
        settled = true;
        signal.removeEventListener('abort', stop);
        reject(signal.reason);
        return;
      }
      const refused = customHostRefusalOf(error);
      if (refused) {
        settle({ ok: false, status: 400, error: new PkError('PK_ERR_INVALID_CUSTOM_HOST', refused.message) });
        return;
      }
      settle({
        ok: false,
        status: 502,
        connectionError: true,
        error: new PkError(
          'PK_ERR_UPSTREAM_UNAVAILABLE',
          `could not open the provider's Realtime WebSocket: ${error.message}`,
        ),
      });
    });
    if (signal.aborted) stop();
  });
}

/** Whether a failed opening reached the provider (its own answer to the upgrade): a call it counts. */
export function providerAnswered(outcome: SocketOutcome): boolean {
  return outcome.ok || outcome.error instanceof ProviderRefusal;
}
