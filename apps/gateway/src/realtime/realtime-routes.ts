import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createErrorEnvelope, PkError, type PkErrorCode, type PlanLeaf } from '@pk/config';
import { parseRequestHeaders } from '@pk/headers';
import {
  createAddressGuard,
  customHostRefusalOf,
  type ProviderTarget,
  toAzureOpenAIRealtimeRequest,
  toOpenAIRequest,
} from '@pk/providers';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { refusalCodeOf } from '../limits/request-limits.js';
import { endHeldRequestLog, holdRequestLog } from '../plugins/request-log.js';
import { requestPlanOf } from '../proxy/request-plan-of.js';
import type { ProxyServices } from '../proxy/run-proxied-request.js';
import { captureBody } from '../request-facts/body-capture.js';
import { recordHeaderFacts } from '../request-facts/request-facts.js';
import { planLeaves } from '../request-plan/map-plan-leaves.js';
import { passthroughHandlerOf } from '../routes/passthrough-routes.js';
import { applyBrowserSubprotocols, chosenSubprotocol } from './browser-subprotocols.js';
import { proxyUrlFor, type RealtimeProxy, tunnelThrough } from './proxy-tunnel.js';
import { LIMIT_CLOSE_CODES, LIMIT_CLOSE_REASONS, SessionMeter } from './realtime-metering.js';
import { realtimeErrorEventOf, SessionUsage } from './session-usage.js';

/** The path of OpenAI's Realtime API WebSocket (`wss://api.openai.com/v1/realtime?model=…`). */
const REALTIME_PATH = '/v1/realtime';

/** The socket and first bytes of an upgrade the router is deciding about (set only by {@link onUpgrade}). */
const PENDING_UPGRADE = Symbol('pk.pendingUpgrade');

interface PendingUpgrade {
  readonly socket: Duplex;
  readonly head: Buffer;
}

type UpgradeRequest = IncomingMessage & { [PENDING_UPGRADE]?: PendingUpgrade };

/** Bytes one side may have waiting to be written before the other side is no longer read. */
const HIGH_WATER_BYTES = 1024 * 1024;
/** Reading resumes once the waiting bytes are back under this. */
const LOW_WATER_BYTES = 256 * 1024;
/** The largest message relayed either way (OpenAI's events are far smaller; audio comes in chunks). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** How long the provider has to accept the WebSocket. */
const UPSTREAM_HANDSHAKE_MS = 10_000;
/** The most of a provider's refusal (its HTTP answer to the upgrade) read and passed on. */
const MAX_REFUSAL_BYTES = 64 * 1024;

/** pk's OpenAI-shaped error body. */
function envelope(code: PkErrorCode, message: string): unknown {
  return createErrorEnvelope({ code, message });
}

/** A client's `Sec-WebSocket-Key`: 16 bytes in base64. */
const WEBSOCKET_KEY = /^[+/0-9A-Za-z]{21}[AQgw]==$/;

/** Providers whose Realtime API pk relays. */
const REALTIME_PROVIDERS: ReadonlySet<string> = new Set(['openai', 'azure-openai']);

/**
 * The close codes that may be sent in a close frame (RFC 6455 §7.4): 1005 (no code), 1006 (no close
 * frame) and 1015 (TLS) only describe what was received, and 1004 is reserved.
 */
function isSendableCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}

/** The other side of a session closes as the first did, with its code and reason when they can be sent. */
function closeLike(socket: WebSocket, code: number, reason: Buffer, lost: string): void {
  if (socket.readyState === WebSocket.CLOSED || socket.readyState === WebSocket.CLOSING) return;
  if (isSendableCloseCode(code)) socket.close(code, reason);
  else if (code === 1005) socket.close(1000);
  else socket.close(1011, lost);
}

/**
 * Sends every message of `from` to `to` as it came (text or binary, bytes unchanged). While `to` has
 * more than {@link HIGH_WATER_BYTES} waiting to be written, `from` is no longer read (TCP then slows
 * its sender down); it is read again when the writes are back under {@link LOW_WATER_BYTES}.
 */
function relay(from: WebSocket, to: WebSocket, inspect?: (data: Buffer) => void): void {
  let paused = false;
  const written = (): void => {
    if (paused && to.bufferedAmount <= LOW_WATER_BYTES) {
      paused = false;
      from.resume();
    }
  };
  from.on('message', (data: RawData, isBinary: boolean) => {
    // Read (never changed) before it goes on: usage is counted even when the other side is gone.
    if (inspect !== undefined && !isBinary) inspect(data as Buffer);
    if (to.readyState !== WebSocket.OPEN) return;
    to.send(data as Buffer, { binary: isBinary, compress: false }, written);
    if (!paused && to.bufferedAmount > HIGH_WATER_BYTES) {
      paused = true;
      from.pause();
    }
  });
}

/** What an answer without a `model` is still told about. */
function modelOf(url: string): string | undefined {
  const query = url.indexOf('?');
  if (query === -1) return undefined;
  return new URLSearchParams(url.slice(query + 1)).get('model') ?? undefined;
}

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
 * The refusal of a provider's HTTP answer to the upgrade: its status and its JSON error body as it
 * came (as a pass-through answer is), else a 502 saying what it answered.
 */
async function providerRefusal(response: IncomingMessage): Promise<{ status: number; body: unknown }> {
  const status = response.statusCode ?? 502;
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
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (typeof body === 'object' && body !== null && 'error' in body) return { status, body };
  } catch {
    // Not JSON: said in pk's envelope below.
  }
  return {
    status: 502,
    body: envelope(
      'PK_ERR_UPSTREAM_UNAVAILABLE',
      `the provider answered the Realtime upgrade with HTTP ${status}, not 101`,
    ),
  };
}

/** The upstream WebSocket once open, or the HTTP answer to give the client instead. */
function connectUpstream(
  url: URL,
  headers: Record<string, string>,
  lookup: ReturnType<typeof createAddressGuard>['lookup'],
  clientSocket: Duplex,
  proxy: RealtimeProxy | undefined,
): Promise<
  { socket: WebSocket } | { refusal: { status: number; body: unknown }; providerAnswered: boolean }
> {
  return new Promise((resolve) => {
    const proxyUrl = proxyUrlFor(url, proxy);
    const socket = new WebSocket(url, {
      headers,
      lookup,
      ...(proxyUrl === undefined
        ? {}
        : { createConnection: tunnelThrough(proxyUrl, url.protocol === 'wss:', UPSTREAM_HANDSHAKE_MS) }),
      handshakeTimeout: UPSTREAM_HANDSHAKE_MS,
      perMessageDeflate: false,
      maxPayload: MAX_MESSAGE_BYTES,
      followRedirects: false,
    } as ConstructorParameters<typeof WebSocket>[2]);
    // A client that leaves while the provider is being reached ends the attempt.
    const clientLeft = (): void => socket.terminate();
    clientSocket.once('close', clientLeft);
    const settle = (
      outcome:
        | { socket: WebSocket }
        | { refusal: { status: number; body: unknown }; providerAnswered: boolean },
    ) => {
      clientSocket.removeListener('close', clientLeft);
      resolve(outcome);
    };
    socket.once('open', () => {
      // Not read until the relay listens: a first event (`session.created`) would be lost before it.
      socket.pause();
      settle({ socket });
    });
    socket.once('unexpected-response', (_request, response) => {
      void providerRefusal(response).then((refusal) => settle({ refusal, providerAnswered: true }));
    });
    socket.on('error', (error: Error) => {
      if (socket.readyState === WebSocket.OPEN) return;
      const refused = customHostRefusalOf(error);
      settle({
        providerAnswered: false,
        refusal: refused
          ? { status: 400, body: envelope('PK_ERR_INVALID_CUSTOM_HOST', refused.message) }
          : {
              status: 502,
              body: envelope(
                'PK_ERR_UPSTREAM_UNAVAILABLE',
                `could not open the provider's Realtime WebSocket: ${error.message}`,
              ),
            },
      });
    });
  });
}

/** Header lines of a reply pk's 101 repeats: `x-portkey-trace-id` and the limits' `x-pk-ratelimit-*`. */
function answerHeaderLinesOf(reply: FastifyReply): string[] {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (name !== 'x-portkey-trace-id' && !name.startsWith('x-pk-ratelimit-')) continue;
    if (typeof value === 'string' || typeof value === 'number') lines.push(`${name}: ${value}`);
  }
  return lines;
}

/** One relayed session: both sockets, for the shutdown. */
interface Session {
  readonly client: WebSocket;
  readonly upstream: WebSocket;
}

/**
 * `GET /v1/realtime` as a WebSocket: OpenAI's Realtime API relayed to the provider. The HTTP server's
 * `upgrade` listener sends an upgrade to this path through fastify's router, so the request is
 * authenticated and refused (HTTP answers in pk's error envelope) as any `/v1` request; once the
 * provider's WebSocket is open, the client's upgrade is accepted and messages go both ways unchanged.
 * A `GET /v1/realtime` that is not an upgrade passes through as before. Plain requests never reach
 * any of this: Node emits `upgrade` only for requests with an `Upgrade` header.
 */
export async function realtimeRoutes(
  app: FastifyInstance,
  options: {
    services: ProxyServices;
    /** `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` for the provider's socket (none: direct). */
    proxy?: RealtimeProxy | undefined;
  },
): Promise<void> {
  const { services, proxy } = options;
  const guard = createAddressGuard({ trustedHosts: services.settings.customHostTrust });
  const server = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: chosenSubprotocol,
  });
  const sessions = new Set<Session>();
  // Headers of the 101 (ws writes it): set before `handleUpgrade`, read once by its `headers` event.
  const answerHeaders = new WeakMap<IncomingMessage, readonly string[]>();
  server.on('headers', (lines: string[], raw: IncomingMessage) => {
    const extra = answerHeaders.get(raw);
    if (extra === undefined) return;
    answerHeaders.delete(raw);
    lines.push(...extra);
  });
  const passthrough = passthroughHandlerOf(services);

  const onUpgrade = (raw: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // The HTTP server let go of the socket: its errors are ours (a reset must not crash the process).
    socket.on('error', () => socket.destroy());
    const request = raw as UpgradeRequest;
    const url = raw.url ?? '';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const isRealtime =
      path === REALTIME_PATH &&
      raw.method === 'GET' &&
      String(raw.headers.upgrade ?? '').toLowerCase() === 'websocket';
    if (isRealtime) {
      request[PENDING_UPGRADE] = { socket, head };
      applyBrowserSubprotocols(raw.headers);
    }
    // Any other upgrade (`h2c` …) is answered as the plain HTTP request it also is, then closed.
    const response = new ServerResponse(raw);
    response.shouldKeepAlive = false;
    response.assignSocket(socket as never);
    response.once('finish', () => socket.end());
    if (!isRealtime) {
      const length = raw.headers['content-length'];
      if (raw.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')) {
        response.statusCode = 400;
        response.setHeader('content-type', 'application/json; charset=utf-8');
        response.end(
          JSON.stringify(
            envelope(
              'PK_ERR_INVALID_REQUEST',
              'a request with a body cannot ask to upgrade the connection; send it without the Upgrade header',
            ),
          ),
        );
        return;
      }
    }
    // The body an upgrade request never gets (Node stops parsing at the headers): ended empty.
    raw.push(null);
    app.routing(raw, response);
  };
  app.server.on('upgrade', onUpgrade);

  // At the shutdown's deadline open sessions end as streams do; when the app closes, at once.
  const goingAway = (): void => {
    for (const session of sessions) {
      session.client.close(1001, 'the gateway is shutting down');
      session.upstream.close(1001, 'the gateway is shutting down');
    }
  };
  services.stopStreams.addEventListener('abort', goingAway, { once: true });
  app.addHook('onClose', async () => {
    app.server.removeListener('upgrade', onUpgrade);
    services.stopStreams.removeEventListener('abort', goingAway);
    for (const session of sessions) {
      session.client.terminate();
      session.upstream.terminate();
    }
    server.close();
  });

  const config = { proxyEndpoint: 'passthrough' };
  app.get(REALTIME_PATH, { config }, async (request: FastifyRequest, reply: FastifyReply) => {
    const pending = (request.raw as UpgradeRequest)[PENDING_UPGRADE];
    if (pending === undefined) return passthrough(request, reply);
    return openSession(request, reply, pending);
  });

  async function openSession(
    request: FastifyRequest,
    reply: FastifyReply,
    pending: PendingUpgrade,
  ): Promise<FastifyReply | undefined> {
    const log = request.logFields;
    log.endpoint = 'realtime';
    // The client's handshake is checked before the provider is called (RFC 6455 §4.2.1).
    const key = request.headers['sec-websocket-key'];
    const version = request.headers['sec-websocket-version'];
    if (typeof key !== 'string' || !WEBSOCKET_KEY.test(key) || (version !== '13' && version !== '8')) {
      throw new PkError(
        'PK_ERR_INVALID_REQUEST',
        'not a WebSocket handshake: Sec-WebSocket-Key and Sec-WebSocket-Version: 13 are needed',
      );
    }
    const headers = parseRequestHeaders(request.headers);
    recordHeaderFacts(log, headers, services.catalog);
    const requestedModel = modelOf(request.url);
    if (requestedModel !== undefined) log.model = requestedModel;
    const { plan, model, hasHooks, limitedVirtualKeys } = requestPlanOf(
      services,
      request,
      headers,
      requestedModel,
    );
    const leaves = planLeaves(plan.root);
    const leaf = leaves[0];
    if (leaf === undefined || leaves.length !== 1) {
      throw new PkError(
        'PK_ERR_UNSUPPORTED_FEATURE',
        'a Realtime session goes to one provider: use a config with a single target (no fallback, load balance or conditional routing)',
      );
    }
    const provider = leaf.target.provider ?? '';
    log.plannedProvider = provider;
    if (!REALTIME_PROVIDERS.has(provider)) {
      throw new PkError(
        'PK_ERR_UNSUPPORTED_ENDPOINT',
        `the provider ${provider} has no Realtime API in pk; it is relayed to openai and azure-openai only`,
      );
    }
    if (hasHooks) {
      throw new PkError(
        'PK_ERR_HOOKS_NOT_SUPPORTED',
        'guardrails and hooks cannot run on a Realtime session; use a config without them',
      );
    }
    const queryAt = request.url.indexOf('?');
    const query = new URLSearchParams(queryAt === -1 ? '' : request.url.slice(queryAt + 1));
    const sentModel =
      model ?? (typeof leaf.override_params.model === 'string' ? leaf.override_params.model : undefined);
    if (sentModel !== undefined) query.set('model', sentModel);
    if (!query.has('model')) {
      throw new PkError('PK_ERR_INVALID_REQUEST', 'the Realtime API needs a model: /v1/realtime?model=…');
    }
    const sessionModel = query.get('model');
    if (sessionModel !== null) log.model = sessionModel;
    const upstream = upstreamOf(leaf, query);
    if (upstream.headers.authorization === undefined && upstream.headers['api-key'] === undefined) {
      throw new PkError(
        'PK_ERR_UNAUTHORIZED',
        'no provider key: send Authorization: Bearer <OpenAI key> with x-portkey-provider, or use a virtual key or config',
      );
    }
    const beta = request.headers['openai-beta'];
    if (typeof beta === 'string') upstream.headers['openai-beta'] = beta;
    const literal = guard.checkLiteral(upstream.url.hostname);
    if (literal) throw new PkError('PK_ERR_INVALID_CUSTOM_HOST', literal.message);

    // Limits: admitted as any request before the provider is called; charged response by response.
    const meter = await SessionMeter.admit(
      services.limits,
      request,
      reply,
      headers.options.metadata,
      limitedVirtualKeys,
      leaf.path,
    );
    if (meter === 'refused') return reply;

    const connected = await connectUpstream(
      upstream.url,
      upstream.headers,
      guard.lookup,
      pending.socket,
      proxy,
    );
    if ('refusal' in connected) {
      log.provider = provider;
      // A provider's own refusal was a call; one that could not be reached was not.
      meter?.opened(connected.providerAnswered);
      return reply.code(connected.refusal.status).send(connected.refusal.body);
    }
    meter?.opened(true);
    const upstreamSocket = connected.socket;
    log.provider = provider;
    // From here on the connection is the WebSocket's: the line is written when the session ends.
    holdRequestLog(request);
    // The 101 carries what pk's other answers do: the trace id, and the limits' room.
    answerHeaders.set(request.raw, answerHeaderLinesOf(reply));
    reply.hijack();
    let accepted = false;
    server.handleUpgrade(request.raw, pending.socket, pending.head, (client) => {
      accepted = true;
      const session: Session = { client, upstream: upstreamSocket };
      sessions.add(session);
      const usage = new SessionUsage(services, request, provider, meter, (exhaustion) => {
        // Ended by a limit: the provider's socket first (nothing more is billed), then the client
        // is told why, in a Realtime `error` event, and closed with the limit's code.
        const code = refusalCodeOf(exhaustion.reason);
        log.errorCode = code;
        log.limits = { ...log.limits, refusedBy: exhaustion.subject.key, reason: exhaustion.reason };
        const event = realtimeErrorEventOf(code, exhaustion.message);
        captureBody(request, 'errorAnswer', { error: event.error });
        closeLike(upstreamSocket, 1000, Buffer.from('the session was ended by the gateway'), '');
        if (client.readyState !== WebSocket.OPEN) return;
        client.send(JSON.stringify(event));
        client.close(LIMIT_CLOSE_CODES[exhaustion.reason], LIMIT_CLOSE_REASONS[exhaustion.reason]);
      });
      relay(client, upstreamSocket);
      relay(upstreamSocket, client, (data) => usage.read(data));
      upstreamSocket.resume();
      let closed = 0;
      const ended = (): void => {
        closed += 1;
        if (closed < 2) return;
        sessions.delete(session);
        usage.record();
        endHeldRequestLog(request, reply, 101);
      };
      client.on('error', () => client.terminate());
      upstreamSocket.on('error', () => upstreamSocket.terminate());
      client.once('close', (code: number, reason: Buffer) => {
        closeLike(upstreamSocket, code, reason, 'the client connection was lost');
        ended();
      });
      upstreamSocket.once('close', (code: number, reason: Buffer) => {
        closeLike(client, code, reason, 'the provider connection was lost');
        ended();
      });
    });
    // A handshake `ws` refuses after all (its own HTTP 400 on the socket) leaves no provider socket open.
    if (!accepted) {
      pending.socket.once('close', () => {
        if (accepted) return;
        upstreamSocket.terminate();
        endHeldRequestLog(request, reply, 400);
      });
    }
    return undefined;
  }
}
