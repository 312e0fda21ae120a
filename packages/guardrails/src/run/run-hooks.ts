import type { CompiledCheck, CompiledHook } from '../compile/compiled-hook.js';
import type { CheckOutcome } from '../model/check-definition.js';
import type { HookContext, HookEvent } from '../model/hook-context.js';
import type { HookResult } from '../model/hook-results.js';
import type { GuardrailServices } from '../network/guardrail-transport.js';
import { hookResultOf, skippedHookResult } from './hook-result.js';
import { applyOutcome, type CheckRun, checkResultOf, runCheck } from './run-check.js';

function runOrDecided(check: CompiledCheck, input: RunHooksInput, context: HookContext): Promise<CheckRun> {
  const outcome = input.decided?.get(check);
  if (outcome === undefined) return runCheck(check, context, input.event, input.services, input.signal);
  const now = input.services.now();
  return Promise.resolve({ result: checkResultOf(check, outcome, now, now), outcome });
}

/** What {@link runHooks} needs. */
export interface RunHooksInput {
  readonly hooks: readonly CompiledHook[];
  readonly event: HookEvent;
  readonly context: HookContext;
  readonly services: GuardrailServices;
  /** The request's signal (the client left). */
  readonly signal?: AbortSignal | undefined;
  /** Receives each `async` hook's result when it finishes (for the log); never awaited. */
  readonly onAsyncResult?: ((result: HookResult) => void) | undefined;
  /**
   * Receives each `async` hook's run as it starts, before `runHooks` returns: a promise of its
   * result once it finishes (after `onAsyncResult`), or of undefined when it could not run; it never
   * rejects. What a request's log record waits on.
   */
  readonly onAsyncRun?: ((run: Promise<HookResult | undefined>) => void) | undefined;
  /** Outcomes already decided for some checks (a stream's redactions): used instead of running them. */
  readonly decided?: ReadonlyMap<CompiledCheck, CheckOutcome> | undefined;
}

/** The outcome of the synchronous hooks of one event. */
export interface HooksRun {
  /** One entry per synchronous hook, in order (skipped ones included). */
  readonly results: readonly HookResult[];
  /** A hook with `deny: true` failed. */
  readonly deny: boolean;
  /** Some hook failed (with or without deny). */
  readonly failed: boolean;
  /** The context after every rewrite (mutators, regexReplace, webhooks). */
  readonly context: HookContext;
}

/** Portkey's skip rules (behaviour reference §7.2). */
function skips(hook: CompiledHook, event: HookEvent, context: HookContext): boolean {
  if (context.requestType === 'embed' && (event === 'afterRequestHook' || hook.type === 'mutator'))
    return true;
  if (hook.type === 'mutator' && hook.async) return true;
  return (
    event === 'afterRequestHook' &&
    (context.response === undefined || context.response.statusCode < 200 || context.response.statusCode > 299)
  );
}

/** Runs one hook's enabled checks: a mutator's in order, a guardrail's at once unless `sequential`. */
async function runHook(
  hook: CompiledHook,
  input: RunHooksInput,
  context: HookContext,
): Promise<{ result: HookResult; context: HookContext }> {
  const started = input.services.now();
  const enabled = hook.checks.filter((check) => check.enabled);
  const runs: CheckRun[] = [];
  let current = context;
  if (hook.type === 'mutator' || hook.sequential) {
    for (const check of enabled) {
      const run = await runOrDecided(check, input, current);
      runs.push(run);
      current = applyOutcome(current, run.outcome);
    }
  } else {
    runs.push(...(await Promise.all(enabled.map((check) => runOrDecided(check, input, current)))));
    for (const run of runs) current = applyOutcome(current, run.outcome);
  }
  return {
    result: hookResultOf(
      hook,
      runs.map((run) => run.result),
      started,
      input.services.now(),
    ),
    context: current,
  };
}

/**
 * Runs the hooks of one event on a context. Hooks run in order and each sees the rewrites of those
 * before it; a run of consecutive guardrail hooks runs at once (as Portkey runs hooks in parallel).
 * `async` hooks start after the synchronous ones, on their final context, and are never awaited:
 * their results go to `onAsyncResult` and `onAsyncRun` only.
 */
export async function runHooks(input: RunHooksInput): Promise<HooksRun> {
  const now = input.services.now;
  const results: HookResult[] = [];
  let context = input.context;
  const sync = input.hooks.filter((hook) => !hook.async);
  for (let index = 0; index < sync.length; ) {
    const hook = sync[index] as CompiledHook;
    if (skips(hook, input.event, context)) {
      results.push(skippedHookResult(hook, now()));
      index += 1;
      continue;
    }
    if (hook.type === 'mutator') {
      const run = await runHook(hook, input, context);
      results.push(run.result);
      context = run.context;
      index += 1;
      continue;
    }
    let end = index;
    while (
      end < sync.length &&
      sync[end]?.type === 'guardrail' &&
      !skips(sync[end] as CompiledHook, input.event, context)
    )
      end += 1;
    const batch = sync.slice(index, end);
    const start = context;
    const runs = await Promise.all(batch.map((member) => runHook(member, input, start)));
    for (const run of runs) {
      results.push(run.result);
      // Each guardrail saw the same context; their rewrites (regexReplace, webhooks) apply in order.
      if (run.context.request !== start.request) context = { ...context, request: run.context.request };
      if (run.context.response !== start.response && run.context.response !== undefined)
        context = { ...context, response: run.context.response };
    }
    index = end;
  }
  const asyncHooks = input.hooks.filter((hook) => hook.async && !skips(hook, input.event, context));
  for (const hook of asyncHooks) {
    const run = runHook(hook, input, context).then(
      (finished) => finished.result,
      () => undefined,
    );
    void run.then((result) => {
      if (result !== undefined) input.onAsyncResult?.(result);
    });
    input.onAsyncRun?.(run);
  }
  const deny = results.some((result) => result.deny);
  const failed = results.some((result) => result.skipped !== true && !result.verdict);
  return { results, deny, failed, context };
}
