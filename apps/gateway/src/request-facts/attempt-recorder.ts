import {
  type AttemptFunction,
  type AttemptOutcome,
  PkError,
  type PlanLeaf,
  type PlanNode,
  statusOfErrorCode,
  type TraceEntry,
} from '@pk/config';
import { UpstreamError } from '@pk/providers';
import type { RequestLogFields } from '../plugins/request-log.js';
import { firstPlannedProvider } from '../request-plan/map-plan-leaves.js';
import { providerErrorCodeOf } from './provider-error-code.js';

type AttemptLogEntry = NonNullable<RequestLogFields['attemptLog']>[number];

/** What the recorder learnt about one leaf (by JSON path): who it calls and each call's error code. */
interface LeafCalls {
  readonly provider: string;
  readonly virtualKey: string | undefined;
  /** The model its `override_params` set, which replaces the body's in the call. */
  readonly model: string | undefined;
  /** Error code of each call, in order (undefined for a success or a failure without a code). */
  readonly errorCodes: (string | undefined)[];
  /**
   * Whether each call reached the provider port ({@link AttemptRecorder.wrapSent}); false for one the
   * gateway refused itself (a limit of the target's key, the target's input guardrail).
   */
  readonly sent: boolean[];
  /** The span id each sent call named in its `traceparent` (only while spans are exported). */
  spanIds?: (string | undefined)[];
}

/** Codes of the failures the engine makes itself (the attempt never answered). */
const ORIGIN_CODES: Readonly<Record<string, string>> = {
  timeout: 'PK_ERR_TIMEOUT',
  deadline: 'PK_ERR_DEADLINE',
  'connection-error': 'PK_ERR_UPSTREAM_UNAVAILABLE',
};

/** The code of an attempt's error that is neither pk's nor an {@link UpstreamError} (a Realtime refusal). */
export type OtherErrorCode = (error: unknown) => string | undefined;

function errorCodeOf(
  outcome: AttemptOutcome<unknown, unknown>,
  other: OtherErrorCode | undefined,
): string | undefined {
  if (outcome.ok) return undefined;
  const error = outcome.error;
  if (error instanceof PkError) return error.code;
  if (UpstreamError.isInstance(error)) return providerErrorCodeOf(error);
  return other?.(error);
}

function virtualKeyOf(leaf: PlanLeaf): string | undefined {
  const id = leaf.target.virtual_key;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/**
 * The model a leaf's `override_params` set (resolved by the plan: no `@slug/` prefix), which the
 * call sends instead of the body's; undefined when it sets none.
 */
export function overrideModelOf(leaf: Pick<PlanLeaf, 'override_params'>): string | undefined {
  const model = leaf.override_params.model;
  return typeof model === 'string' && model.length > 0 ? model : undefined;
}

/**
 * Records, per request, what the routing engine's trace does not say about an attempt: the provider
 * and virtual key of its target and the error code of its outcome. {@link attemptLogOf} joins it with
 * the trace (status, start, latency) into `RequestLogFields.attemptLog`. One small object per leaf
 * tried, no clock reads: the trace already timed every attempt.
 */
export class AttemptRecorder {
  readonly #leaves = new Map<string, LeafCalls>();
  #watchesSending = false;
  /** The request's plan: the provider of a target its breaker skipped (never called, so never seen here). */
  readonly #plan: PlanNode | undefined;
  readonly #otherErrorCode: OtherErrorCode | undefined;

  /**
   * `otherErrorCode`: the code of a failure whose error is the caller's own kind (a Realtime
   * opening's refusal by the provider: the provider's code, as an HTTP attempt's).
   */
  constructor(plan?: PlanNode, otherErrorCode?: OtherErrorCode) {
    this.#plan = plan;
    this.#otherErrorCode = otherErrorCode;
  }

  /** Wraps the engine's attempt port (outermost, so hook denials are recorded as calls too). */
  wrap<Req, Value, Err>(attempt: AttemptFunction<Req, Value, Err>): AttemptFunction<Req, Value, Err> {
    return (leaf, request, options) => {
      let calls = this.#leaves.get(leaf.path);
      if (calls === undefined) {
        calls = {
          provider: typeof leaf.target.provider === 'string' ? leaf.target.provider : '',
          virtualKey: virtualKeyOf(leaf),
          model: overrideModelOf(leaf),
          errorCodes: [],
          sent: [],
        };
        this.#leaves.set(leaf.path, calls);
      }
      const index = calls.errorCodes.length;
      calls.errorCodes.push(undefined);
      calls.sent.push(!this.#watchesSending);
      const codes = calls.errorCodes;
      return attempt(leaf, request, options).then((outcome) => {
        if (!outcome.ok) codes[index] = errorCodeOf(outcome, this.#otherErrorCode);
        return outcome;
      });
    };
  }

  /**
   * Wraps the port that really calls providers (innermost, inside limits and hooks): a call that
   * reaches it was sent; one that does not was refused by the gateway itself, and its log entry says
   * `notSent`. Without this wrapper every call counts as sent.
   */
  wrapSent<Req, Value, Err>(attempt: AttemptFunction<Req, Value, Err>): AttemptFunction<Req, Value, Err> {
    this.#watchesSending = true;
    return (leaf, request, options) => {
      const sent = this.#leaves.get(leaf.path)?.sent;
      // Calls of one target run one after another: the last one recorded is this one.
      if (sent !== undefined && sent.length > 0) sent[sent.length - 1] = true;
      return attempt(leaf, request, options);
    };
  }

  /**
   * Notes the span id the call of `path` being sent now named in its `traceparent` (calls of one
   * target run one after another: the last one recorded is this one).
   */
  noteSpanId(path: string, spanId: string): void {
    const calls = this.#leaves.get(path);
    if (calls === undefined) return;
    calls.spanIds ??= [];
    calls.spanIds[calls.sent.length - 1] = spanId;
  }

  /** The span id each entry of {@link attemptLogOf}'s log named (undefined: none, or never sent). */
  spanIdsOf(trace: readonly TraceEntry[]): (string | undefined)[] {
    const ids: (string | undefined)[] = [];
    for (const entry of trace) {
      if (entry.kind === 'skip') ids.push(undefined);
      else if (entry.origin !== 'cache') ids.push(this.#leaves.get(entry.path)?.spanIds?.[entry.attempt]);
    }
    return ids;
  }

  /** The provider of the plan's node at `path` (a group: its first target's), from the plan. */
  #providerOfNode(path: string): string | undefined {
    const node = this.#plan === undefined ? undefined : nodeAt(this.#plan, path);
    return node === undefined ? undefined : firstPlannedProvider(node);
  }

  /** The provider of the leaf at `path`, when it was called. */
  providerOf(path: string): string | undefined {
    const provider = this.#leaves.get(path)?.provider;
    return provider === '' ? undefined : provider;
  }

  /** The model the `override_params` of the leaf at `path` set, when it was called and they set one. */
  overrideModelOf(path: string): string | undefined {
    return this.#leaves.get(path)?.model;
  }

  /** The virtual key of the leaf at `path`, when it was called and uses one. */
  virtualKeyOf(path: string): string | undefined {
    return this.#leaves.get(path)?.virtualKey;
  }

  /**
   * Every provider call of `trace`, in order (cache hits are not calls): target path, provider,
   * start (epoch ms: `startedAt` is when the engine started), status, latency and error code.
   */
  attemptLogOf(trace: readonly TraceEntry[], startedAt: number): AttemptLogEntry[] {
    const log: AttemptLogEntry[] = [];
    // Where the engine was when it skipped a target: the end of the attempt before (ms since start).
    let at = 0;
    for (const entry of trace) {
      if (entry.kind === 'skip') {
        // A target its open breaker made the group pass over: not sent, with the code a request
        // whose every target is open answers, so the record says why the target was not tried.
        log.push({
          targetPath: entry.path,
          provider: this.#providerOfNode(entry.path) ?? '',
          startedAt: startedAt + at,
          status: statusOfErrorCode('PK_ERR_CIRCUIT_OPEN'),
          latencyMs: 0,
          errorCode: 'PK_ERR_CIRCUIT_OPEN',
          notSent: true,
        });
        continue;
      }
      at = Math.max(at, entry.startMs + entry.latencyMs);
      if (entry.origin === 'cache') continue;
      const calls = this.#leaves.get(entry.path);
      const code = entry.ok
        ? undefined
        : (calls?.errorCodes[entry.attempt] ?? ORIGIN_CODES[entry.origin] ?? undefined);
      const item: AttemptLogEntry = {
        targetPath: entry.path,
        provider: calls?.provider ?? '',
        startedAt: startedAt + entry.startMs,
        status: entry.status,
        latencyMs: entry.latencyMs,
        ...(code === undefined ? {} : { errorCode: code }),
        ...(calls?.sent[entry.attempt] === false ? { notSent: true as const } : {}),
      };
      log.push(item);
    }
    return log;
  }
}

/** The node of `plan` at `path`, if any. */
function nodeAt(plan: PlanNode, path: string): PlanNode | undefined {
  if (plan.path === path) return plan;
  if (plan.kind === 'leaf' || !path.startsWith(plan.path)) return undefined;
  for (const child of plan.targets) {
    const found = nodeAt(child, path);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Milliseconds spent waiting on providers: the sum of the latencies of the calls sent to them. */
export function providerTimeOf(attemptLog: readonly AttemptLogEntry[]): number {
  let total = 0;
  for (const entry of attemptLog) if (entry.notSent !== true) total += entry.latencyMs;
  return total;
}

/** Calls sent to providers: the attempt log's entries but those the gateway refused itself. */
export function sentCallsIn(attemptLog: readonly { readonly notSent?: true }[]): number {
  let calls = 0;
  for (const entry of attemptLog) if (entry.notSent !== true) calls += 1;
  return calls;
}
