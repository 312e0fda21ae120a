import type { CompiledCheck, CompiledHook } from '../compile/compiled-hook.js';
import type { CheckOutcome } from '../model/check-definition.js';
import type { HookContext } from '../model/hook-context.js';
import type { HookResult, HookResults } from '../model/hook-results.js';
import type { GuardrailServices } from '../network/guardrail-transport.js';
import { runHooks } from '../run/run-hooks.js';

/** What the guards of a stream decided while it flowed: failed checks, and outcomes scanners decided. */
export interface StreamVerdicts {
  failedChecks(): ReadonlySet<CompiledCheck>;
  decidedOutcomes(): Map<CompiledCheck, CheckOutcome>;
}

/** The verdicts of a stream's text guard and its tool-call arguments guard, as one. */
export function combinedVerdicts(first: StreamVerdicts, second: StreamVerdicts): StreamVerdicts {
  return {
    failedChecks: () => new Set([...first.failedChecks(), ...second.failedChecks()]),
    decidedOutcomes: () => {
      const decided = second.decidedOutcomes();
      for (const [check, outcome] of first.decidedOutcomes()) decided.set(check, outcome);
      return decided;
    },
  };
}

/** What every stream guard needs to run a streamed answer's after-request hooks. */
export interface StreamHooksOptions {
  /** The leaf's after-request hooks. */
  readonly hooks: readonly CompiledHook[];
  /** The request's hook context (the answer is added at the end). */
  readonly context: HookContext;
  readonly services: GuardrailServices;
  /** Results of the before-request hooks of this request (reported with the stream's). */
  readonly beforeResults: readonly HookResult[];
  /** Characters held back before they are sent (default 128). */
  readonly holdbackChars?: number;
  /** With strict OpenAI compliance off, the results go out in a frame of their own at the end. */
  readonly strictOpenAICompliance: boolean;
  readonly signal?: AbortSignal | undefined;
  readonly onAsyncResult?: ((result: HookResult) => void) | undefined;
  /** Receives each `async` hook's run as it starts (see `runHooks`). */
  readonly onAsyncRun?: ((run: Promise<HookResult | undefined>) => void) | undefined;
  /** Called once with the stream's results (for the request log). */
  readonly onResults?: ((results: HookResults) => void) | undefined;
  /** Called when a `deny` check ended the stream with `event: error` (a 446 after the 200). */
  readonly onDenied?: (() => void) | undefined;
}

/**
 * The after-request hooks run over the answer rebuilt from what was sent, once the stream ended;
 * scanners' decisions (redactions) stand for their checks. Reports the results through `onResults`.
 */
export async function streamResultsAtEnd(
  guard: StreamVerdicts,
  options: StreamHooksOptions,
  answer: Readonly<Record<string, unknown>>,
): Promise<HookResults> {
  const run = await runHooks({
    hooks: options.hooks,
    event: 'afterRequestHook',
    context: { ...options.context, response: { json: answer, statusCode: 200 } },
    services: options.services,
    signal: options.signal,
    onAsyncResult: options.onAsyncResult,
    onAsyncRun: options.onAsyncRun,
    decided: guard.decidedOutcomes(),
  });
  const results = { before_request_hooks: options.beforeResults, after_request_hooks: run.results };
  options.onResults?.(results);
  return results;
}

/**
 * The results a stream a `deny` check stopped reports: the checks that judge partial text, run on what
 * was seen so far, the failed ones as they failed. Reports them through `onResults` and `onDenied`.
 */
export async function deniedStreamResults(
  guard: StreamVerdicts,
  options: StreamHooksOptions,
  answer: Readonly<Record<string, unknown>>,
): Promise<HookResults> {
  const failed = guard.failedChecks();
  const partialHooks = options.hooks
    .filter((hook) => !hook.async)
    .map((hook) => ({
      ...hook,
      checks: hook.checks.filter((check) => check.definition.scanStream !== undefined),
    }))
    .filter((hook) => hook.checks.length > 0);
  const run = await runHooks({
    hooks: partialHooks,
    event: 'afterRequestHook',
    context: { ...options.context, response: { json: answer, statusCode: 200 } },
    services: options.services,
    decided: new Map(
      [...failed].map((check) => [
        check,
        { verdict: false, data: { explanation: `The streamed text failed ${check.id}; it was not sent.` } },
      ]),
    ),
  });
  const results: HookResults = {
    before_request_hooks: options.beforeResults,
    after_request_hooks: run.results,
  };
  options.onResults?.(results);
  options.onDenied?.();
  return results;
}
