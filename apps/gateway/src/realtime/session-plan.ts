import type { Duplex } from 'node:stream';
import {
  type AttemptFailure,
  type AttemptFunction,
  type BreakerStore,
  createRequestConditionContext,
  PkError,
  PlanAbortedError,
  type ResolvedPlan,
  realTimePorts,
  runPlan,
} from '@pk/config';
import type { createAddressGuard } from '@pk/providers';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { AttemptRecorder } from '../request-facts/attempt-recorder.js';
import { recordPlanFacts } from '../request-facts/request-facts.js';
import { parseTraceparent, type TracePropagation, traceparentOf } from '../tracing/trace-context.js';
import {
  openProviderSocket,
  ProviderRefusal,
  type ProviderSocketRequest,
  providerAnswered,
  type SocketOutcome,
} from './provider-socket.js';
import type { RealtimeProxy } from './proxy-tunnel.js';
import type { SessionMeter } from './realtime-metering.js';

/** What opening a session through its plan needs. */
export interface SessionPlanInput {
  readonly plan: ResolvedPlan;
  readonly request: FastifyRequest;
  /** Each target's socket request by plan path, or why it cannot open one. */
  readonly sockets: ReadonlyMap<string, ProviderSocketRequest | PkError>;
  readonly meter: SessionMeter | undefined;
  /** The client's socket while its upgrade waits: the attempts end when it closes. */
  readonly clientSocket: Duplex;
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
  readonly lookup: ReturnType<typeof createAddressGuard>['lookup'];
  readonly proxy: RealtimeProxy | undefined;
  readonly breakers: BreakerStore;
  /** While spans are exported: each provider socket's upgrade carries a `traceparent`. */
  readonly tracing: TracePropagation | undefined;
}

/** The session's plan ended: a provider socket open, or the outcome to answer (none: the client left). */
export type SessionPlanResult = (
  | {
      readonly ok: true;
      readonly socket: WebSocket;
      readonly provider: string;
      readonly model: string;
    }
  | { readonly ok: false; readonly outcome: AttemptFailure<ProviderRefusal | PkError> | undefined }
) & {
  /** The target that opened (or was tried last): `x-portkey-last-used-option-index`. */
  readonly path: string;
  /** `x-portkey-retry-attempt-count` of that target. */
  readonly retryCount: number;
};

/** What the engine routes on: no body (conditional routing reads the metadata and the URL). */
type SessionRoutingRequest = { readonly body?: Readonly<Record<string, unknown>> };

/**
 * Opens a session's provider socket through its plan, by the routing engine as a request's call is
 * (the config's fallback, loadbalance, conditional routing on metadata, retries with
 * `on_status_codes`, `request_timeout`, circuit breakers): an attempt is one socket's opening, failed
 * when the provider refuses the upgrade (its status), cannot be reached (502) or times out (408). All
 * of it happens before the client's upgrade is accepted; once a socket is open the session stays on it
 * (no failover mid-session). The log fields get each attempt, as for HTTP requests.
 */
export async function openThroughPlan(input: SessionPlanInput): Promise<SessionPlanResult> {
  const { plan, request, sockets, meter, tracing } = input;
  const log = request.logFields;
  // A provider's refusal of the upgrade is logged with its own error code, as an HTTP attempt's.
  const recorder = new AttemptRecorder(plan.root, (error) =>
    error instanceof ProviderRefusal ? error.providerErrorCode : undefined,
  );
  let answered = false;
  // What reaches this port dials a provider; the recorder notes it (a refused attempt was not sent).
  const dial: AttemptFunction<SessionRoutingRequest, WebSocket, ProviderRefusal | PkError> =
    recorder.wrapSent(async (leaf, _unused, options): Promise<SocketOutcome> => {
      const prepared = sockets.get(leaf.path) as ProviderSocketRequest;
      let traceHeaders: Record<string, string> | undefined;
      if (tracing !== undefined) {
        request.otelTrace ??= tracing.traceOf(parseTraceparent(request.headers.traceparent), request.traceId);
        const spanId = tracing.spanId();
        recorder.noteSpanId(leaf.path, spanId);
        const tracestate = request.headers.tracestate;
        traceHeaders = {
          traceparent: traceparentOf(request.otelTrace, spanId),
          ...(typeof tracestate === 'string' && tracestate !== '' ? { tracestate } : {}),
        };
      }
      return openProviderSocket(prepared, input.lookup, input.proxy, options.signal, traceHeaders);
    });
  const open: AttemptFunction<SessionRoutingRequest, WebSocket, ProviderRefusal | PkError> = recorder.wrap(
    async (leaf, routed, options): Promise<SocketOutcome> => {
      const prepared = sockets.get(leaf.path);
      if (prepared === undefined || prepared instanceof PkError) {
        const error = prepared ?? new PkError('PK_ERR_INTERNAL', 'no socket request for the target');
        return { ok: false, status: error.status, error, notSent: true };
      }
      const hold = meter === undefined ? undefined : await meter.admitAttempt(leaf.path);
      if (hold !== undefined && 'ok' in hold) return hold;
      let outcome: SocketOutcome;
      try {
        outcome = await dial(leaf, routed, options);
      } catch (error) {
        hold?.ended(false);
        throw error;
      }
      const reached = providerAnswered(outcome);
      if (reached) answered = true;
      hold?.ended(reached);
      return outcome;
    },
  );
  const clientLeft = new AbortController();
  const client = input.clientSocket;
  const onClose = (): void => clientLeft.abort(new Error('the client went away'));
  // The client's socket is read while its upgrade waits, only to hear it leave: an upgraded socket is
  // not read (no 'end' would come, and a half-open socket never closes), and a client sends nothing
  // before the 101 (RFC 6455 §4.1), so what would come is dropped.
  const discard = (): void => undefined;
  client.once('end', onClose);
  client.once('close', onClose);
  client.on('data', discard);
  const startedAt = Date.now();
  try {
    const result = await runPlan(plan, {} as SessionRoutingRequest, {
      attempt: open,
      ...realTimePorts,
      now: Date.now,
      signal: clientLeft.signal,
      breakers: input.breakers,
      conditionContext: createRequestConditionContext({ metadata: input.metadata, url: request.url }),
    });
    log.targetPath = result.path;
    log.retries = result.retryCount;
    recordPlanFacts(log, recorder, result.trace, startedAt, result.path);
    if (request.otelTrace) request.otelTrace.attemptSpanIds = recorder.spanIdsOf(result.trace);
    const outcome = result.outcome;
    const facts = { path: result.path, retryCount: result.retryCount };
    const prepared = sockets.get(result.path);
    const provider = recorder.providerOf(result.path);
    if (provider !== undefined) log.provider = provider;
    if (!outcome.ok || prepared === undefined || prepared instanceof PkError) {
      meter?.planEnded(undefined, answered);
      return { ok: false, outcome: outcome.ok ? undefined : outcome, ...facts };
    }
    meter?.planEnded(result.path, true);
    return { ok: true, socket: outcome.value, provider: prepared.provider, model: prepared.model, ...facts };
  } catch (error) {
    if (!(error instanceof PlanAbortedError)) throw error;
    log.targetPath = error.path;
    recordPlanFacts(log, recorder, error.trace, startedAt, undefined);
    meter?.planEnded(undefined, answered);
    return { ok: false, outcome: undefined, path: error.path, retryCount: 0 };
  } finally {
    client.removeListener('end', onClose);
    client.removeListener('close', onClose);
    client.removeListener('data', discard);
    // Back as the HTTP server left it: read again by whoever listens next (the WebSocket).
    client.pause();
    (client as Duplex & { readableFlowing: boolean | null }).readableFlowing = null;
  }
}
