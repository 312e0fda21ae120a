import type { CompiledCheck } from '../compile/compiled-hook.js';
import type { CheckOutcome } from '../model/check-definition.js';
import type { HookContext, HookEvent } from '../model/hook-context.js';
import type { CheckResult } from '../model/hook-results.js';
import type { GuardrailServices } from '../network/guardrail-transport.js';

/** A check's result and the rewrite it made, if any. */
export interface CheckRun {
  readonly result: CheckResult;
  readonly outcome: CheckOutcome;
}

/** Runs one check; a check that throws (a bug) is an errored check, never a failed request. */
export async function runCheck(
  check: CompiledCheck,
  context: HookContext,
  event: HookEvent,
  services: GuardrailServices,
  signal: AbortSignal | undefined,
): Promise<CheckRun> {
  const started = services.now();
  let outcome: CheckOutcome;
  try {
    outcome = await check.definition.run({ context, parameters: check.parameters, event, services, signal });
  } catch {
    outcome = {
      verdict: false,
      error: { name: 'Check error', message: 'Error executing check' },
      data: null,
    };
  }
  return { result: checkResultOf(check, outcome, started, services.now()), outcome };
}

/** The `hook_results` entry of a check's outcome. */
export function checkResultOf(
  check: CompiledCheck,
  outcome: CheckOutcome,
  started: number,
  ended: number,
): CheckResult {
  return {
    verdict: outcome.verdict,
    id: check.id,
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
    data: outcome.data ?? null,
    transformed: outcome.transformedRequest !== undefined || outcome.transformedResponse !== undefined,
    execution_time: Math.max(0, Math.round(ended - started)),
    created_at: new Date(started).toISOString(),
    log: null,
    fail_on_error: check.failOnError,
  };
}

/** The context after a check's rewrite. */
export function applyOutcome(context: HookContext, outcome: CheckOutcome): HookContext {
  let next = context;
  if (outcome.transformedRequest !== undefined)
    next = { ...next, request: { ...next.request, json: outcome.transformedRequest } };
  if (outcome.transformedResponse !== undefined && next.response !== undefined)
    next = { ...next, response: { ...next.response, json: outcome.transformedResponse } };
  return next;
}
