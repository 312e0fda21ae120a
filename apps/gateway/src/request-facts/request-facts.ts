import type { PlanNode, PlanResult, TraceEntry } from '@pk/config';
import type { ParsedRequestHeaders } from '@pk/headers';
import type { Catalog } from '@pk/store';
import type { FastifyReply } from 'fastify';
import type { RequestLogFields } from '../plugins/request-log.js';
import { planLeaves } from '../request-plan/map-plan-leaves.js';
import { type AttemptRecorder, overrideModelOf, providerTimeOf, sentCallsIn } from './attempt-recorder.js';

const round2 = (ms: number): number => Math.round(ms * 100) / 100;

/**
 * What the headers say about a request for its log record: its metadata (with `_user`), span ids,
 * the saved config and its version, the virtual key named in a header, and an
 * `x-portkey-debug: false` opt-out. No secret.
 */
export function recordHeaderFacts(
  log: RequestLogFields,
  headers: ParsedRequestHeaders,
  catalog: Catalog,
): void {
  const options = headers.options;
  if (options.metadata) log.metadata = options.metadata;
  if (options.spanId !== undefined) log.spanId = options.spanId;
  if (options.parentSpanId !== undefined) log.parentSpanId = options.parentSpanId;
  if (options.spanName !== undefined) log.spanName = options.spanName;
  if (options.debug === false) log.debug = false;
  // Only ids that name a record: a secret pasted into the wrong header never reaches a log.
  const snapshot = catalog.snapshot;
  if (typeof options.config === 'string') {
    const saved = snapshot.configs.get(options.config);
    if (saved !== undefined) {
      log.configId = options.config;
      if (saved.version !== undefined) log.configVersion = saved.version;
    }
  }
  const virtualKey = options.virtualKey;
  // A disabled key is named too: its refusal is found by the key's slug.
  if (
    typeof virtualKey === 'string' &&
    (snapshot.virtualKeys.has(virtualKey) || snapshot.disabledVirtualKeys.has(virtualKey))
  )
    log.virtualKey = virtualKey;
}

/**
 * What the routing engine did: every attempt, the calls among them that reached a provider (cache
 * hits are not calls, nor attempts the gateway refused itself), and the virtual key of the answering
 * target.
 */
export function recordPlanFacts(
  log: RequestLogFields,
  recorder: AttemptRecorder,
  trace: readonly TraceEntry[],
  startedAt: number,
  answeringPath: string | undefined,
): void {
  log.attemptLog = recorder.attemptLogOf(trace, startedAt);
  log.attempts = sentCallsIn(log.attemptLog);
  const waited = retryWaitOf(trace);
  if (waited > 0) log.retryWaitMs = waited;
  if (log.virtualKey === undefined && answeringPath !== undefined) {
    const virtualKey = recorder.virtualKeyOf(answeringPath);
    if (virtualKey !== undefined) log.virtualKey = virtualKey;
  }
  // The model the target that answered (or was tried last) called: its `override_params.model`
  // replaces the body's, as Portkey logs the params it sent (the body with the overrides over it).
  const path = answeringPath ?? log.targetPath;
  const model = path === undefined ? undefined : recorder.overrideModelOf(path);
  if (model !== undefined) log.model = model;
}

/**
 * The target of a request refused before routing chose one (a deny by hooks every target shares):
 * with a single target, the one that would have been called, its provider and virtual key are
 * recorded (the metrics still count it with `provider="none"`: no provider answered); with several,
 * which one routing would have picked is unknown, and both stay empty (the virtual key named in a
 * header excepted). Returns that sole target's path and provider, for the answer's headers.
 */
export function recordSoleTarget(
  log: RequestLogFields,
  root: PlanNode,
): { readonly path: string; readonly provider: string | undefined } | undefined {
  const leaves = planLeaves(root);
  const sole = leaves.length === 1 ? leaves[0] : undefined;
  if (sole === undefined) return undefined;
  const { provider, virtual_key: virtualKey } = sole.target;
  const named = typeof provider === 'string' && provider !== '' ? provider : undefined;
  if (named !== undefined) {
    log.provider = named;
    log.refusedBeforeRouting = true;
  }
  const model = overrideModelOf(sole);
  if (model !== undefined) log.model = model;
  if (log.virtualKey === undefined && typeof virtualKey === 'string' && virtualKey !== '')
    log.virtualKey = virtualKey;
  return { path: sole.path, provider: named };
}

/**
 * Milliseconds the engine waited before retries (the back-off, or the provider's `Retry-After`):
 * for each attempt that was retried, from its end to its retry's start. A loop over the trace, no
 * allocation: a request without retries has one attempt and nothing to look up.
 */
export function retryWaitOf(trace: readonly TraceEntry[]): number {
  let waited = 0;
  for (let index = 0; index < trace.length; index += 1) {
    const entry = trace[index];
    if (entry === undefined || entry.kind !== 'attempt' || entry.next !== 'retry') continue;
    for (let later = index + 1; later < trace.length; later += 1) {
      const retry = trace[later];
      if (retry?.kind === 'attempt' && retry.path === entry.path && retry.attempt === entry.attempt + 1) {
        waited += Math.max(0, retry.startMs - (entry.startMs + entry.latencyMs));
        break;
      }
    }
  }
  return waited;
}

/**
 * Marks the first byte sent to the client (for a stream: its first chunk) and the gateway's own
 * overhead until then: that time minus the time spent waiting on providers and the deliberate
 * waits before retries (back-off, `Retry-After`).
 */
export function recordFirstByte(log: RequestLogFields, reply: FastifyReply): void {
  if (log.firstByteMs !== undefined) return;
  const elapsed = reply.elapsedTime;
  log.firstByteMs = round2(elapsed);
  const inProviders = log.attemptLog ? providerTimeOf(log.attemptLog) : 0;
  log.overheadMs = round2(Math.max(0, elapsed - inProviders - (log.retryWaitMs ?? 0)));
}

/** The model the provider says answered, read from an already parsed JSON answer (no extra parse). */
export function answeredModelOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const model = (body as { model?: unknown }).model;
  return typeof model === 'string' && model.length > 0 ? model : undefined;
}

/** The `finish_reason` of each choice of an OpenAI-shaped answer (at most 16), or undefined. */
export function finishReasonsOf(body: unknown): string[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const choices = (body as { choices?: unknown }).choices;
  if (!Array.isArray(choices)) return undefined;
  const reasons: string[] = [];
  for (const choice of choices) {
    if (reasons.length === 16) break;
    const reason =
      typeof choice === 'object' && choice !== null
        ? (choice as { finish_reason?: unknown }).finish_reason
        : undefined;
    if (typeof reason === 'string') reasons.push(reason.slice(0, 64));
  }
  return reasons.length > 0 ? reasons : undefined;
}

export type { PlanResult };
