import type { CompiledHook } from '../compile/compiled-hook.js';
import type { CheckResult, HookFeedback, HookResult } from '../model/hook-results.js';

/** A hook passes when each check passed or errored without `fail_on_error` (errors fail open). */
export function hookVerdict(checks: readonly CheckResult[]): boolean {
  return checks.every((check) => check.verdict || (check.error !== undefined && !check.fail_on_error));
}

function ids(checks: readonly CheckResult[], keep: (check: CheckResult) => boolean): string {
  return checks
    .filter(keep)
    .map((check) => check.id)
    .join(', ');
}

function feedbackOf(
  hook: CompiledHook,
  checks: readonly CheckResult[],
  verdict: boolean,
): HookFeedback | null {
  const config = verdict ? hook.onSuccess : hook.onFail;
  if (config === undefined) return null;
  return {
    ...(config.value === undefined ? {} : { value: config.value }),
    ...(config.weight === undefined ? {} : { weight: config.weight }),
    metadata: {
      ...config.metadata,
      successfulChecks: ids(checks, (check) => check.verdict),
      failedChecks: ids(checks, (check) => !check.verdict && check.error === undefined),
      erroredChecks: ids(checks, (check) => !check.verdict && check.error !== undefined),
    },
  };
}

/** A hook's `hook_results` entry from its checks' results. */
export function hookResultOf(
  hook: CompiledHook,
  checks: readonly CheckResult[],
  started: number,
  ended: number,
): HookResult {
  const verdict = hookVerdict(checks);
  return {
    verdict,
    id: hook.id,
    transformed: checks.some((check) => check.transformed),
    checks,
    feedback: feedbackOf(hook, checks, verdict),
    execution_time: Math.max(0, Math.round(ended - started)),
    async: hook.async,
    type: hook.type,
    created_at: new Date(started).toISOString(),
    deny: hook.deny && !verdict,
  };
}

/** The entry of a hook that does not apply to this request. */
export function skippedHookResult(hook: CompiledHook, now: number): HookResult {
  return {
    verdict: true,
    id: hook.id,
    transformed: false,
    checks: [],
    feedback: null,
    execution_time: 0,
    async: hook.async,
    type: hook.type,
    created_at: new Date(now).toISOString(),
    deny: false,
    skipped: true,
  };
}
