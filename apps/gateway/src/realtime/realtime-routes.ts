import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createErrorEnvelope, PkError, type PkErrorCode } from '@pk/config';
import { parseRequestHeaders } from '@pk/headers';
import { createAddressGuard } from '@pk/providers';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { refusalCodeOf } from '../limits/request-limits.js';
import { endHeldRequestLog, holdRequestLog } from '../plugins/request-log.js';
import { answerHeadersOf } from '../proxy/answer-headers-memo.js';
import { requestPlanOf } from '../proxy/request-plan-of.js';
import type { ProxyServices } from '../proxy/run-proxied-request.js';
import { captureBody } from '../request-facts/body-capture.js';
import { recordHeaderFacts } from '../request-facts/request-facts.js';
import { firstPlannedProvider, planLeaves } from '../request-plan/map-plan-leaves.js';
import { passthroughHandlerOf } from '../routes/passthrough-routes.js';
import { applyBrowserSubprotocols, chosenSubprotocol } from './browser-subprotocols.js';
import { MAX_MESSAGE_BYTES, type ProviderSocketRequest, providerSocketRequestOf } from './provider-socket.js';
import type { RealtimeProxy } from './proxy-tunnel.js';
import { LIMIT_CLOSE_CODES, LIMIT_CLOSE_REASONS, SessionMeter } from './realtime-metering.js';
import { openThroughPlan } from './session-plan.js';
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

/** pk's OpenAI-shaped error body. */
function envelope(code: PkErrorCode, message: string): unknown {
  return createErrorEnvelope({ code, message });
}

/** A client's `Sec-WebSocket-Key`: 16 bytes in base64. */
const WEBSOCKET_KEY = /^[+/0-9A-Za-z]{21}[AQgw]==$/;

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
 * Header lines of a reply pk's 101 repeats: `x-portkey-trace-id`, the target that opened
 * (`x-portkey-provider`, `-last-used-option-index`, `-retry-attempt-count`), and the limits'
 * `x-pk-ratelimit-*`.
 */
function answerHeaderLinesOf(reply: FastifyReply): string[] {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (!name.startsWith('x-portkey-') && !name.startsWith('x-pk-ratelimit-')) continue;
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
    const planned = firstPlannedProvider(plan.root);
    if (planned !== undefined) log.plannedProvider = planned;
    if (hasHooks) {
      throw new PkError(
        'PK_ERR_HOOKS_NOT_SUPPORTED',
        'guardrails and hooks cannot run on a Realtime session; use a config without them',
      );
    }
    const queryAt = request.url.indexOf('?');
    const query = new URLSearchParams(queryAt === -1 ? '' : request.url.slice(queryAt + 1));
    const beta = request.headers['openai-beta'];
    // Each target's socket, or why that target cannot open one (its attempt fails, not sent).
    const sockets = new Map<string, ProviderSocketRequest | PkError>();
    for (const leaf of leaves) {
      const prepared = providerSocketRequestOf(
        leaf,
        query,
        model,
        typeof beta === 'string' ? beta : undefined,
        guard.checkLiteral,
      );
      sockets.set(leaf.path, prepared);
    }
    // No target could open a session: refused before the limits, as the single target's refusal.
    const first = leaves[0] === undefined ? undefined : sockets.get(leaves[0].path);
    if ([...sockets.values()].every((prepared) => prepared instanceof PkError) && first instanceof PkError)
      throw first;

    // Limits: the session's own admitted before any target is tried; each target's key per attempt.
    const meter = await SessionMeter.admit(
      services.limits,
      request,
      reply,
      headers.options.metadata,
      limitedVirtualKeys,
    );
    if (meter === 'refused') return reply;

    const opened = await openThroughPlan({
      plan,
      request,
      sockets,
      meter,
      clientSocket: pending.socket,
      metadata: headers.options.metadata,
      lookup: guard.lookup,
      proxy,
      breakers: services.breakers,
      tracing: services.tracePropagation,
    });
    // The target that opened, or answered last, as an HTTP answer names it.
    reply.headers(answerHeadersOf(log.provider, opened.path, opened.retryCount, 'DISABLED'));
    if (!opened.ok) {
      const outcome = opened.outcome;
      if (outcome === undefined) return reply.code(499).send();
      if (outcome.error instanceof PkError) {
        meter?.answerRefusal(outcome.error);
        if (outcome.retryAfterMs !== undefined && (outcome.status === 429 || outcome.status === 503))
          reply.header('retry-after', String(Math.max(1, Math.ceil(outcome.retryAfterMs / 1000))));
        throw outcome.error;
      }
      log.errorCode = outcome.error.recordCode;
      const waitMs = outcome.retryAfterMs;
      if (waitMs !== undefined && (outcome.status === 429 || outcome.status === 503)) {
        // The provider's own wait reaches the client, in both spellings the SDKs read.
        reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
        reply.header('retry-after-ms', String(Math.round(waitMs)));
      }
      return reply.code(outcome.error.answerStatus).send(outcome.error.body);
    }
    const { provider } = opened;
    log.model = opened.model;
    const upstreamSocket = opened.socket;
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
