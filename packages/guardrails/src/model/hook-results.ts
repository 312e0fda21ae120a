/**
 * The `hook_results` object of Portkey's answers (behaviour reference §7.3), snake_case as on the
 * wire: `{ before_request_hooks: HookResult[], after_request_hooks: HookResult[] }`.
 */

/** A check that errored: its name and message (never a stack). */
export interface CheckError {
  readonly name: string;
  readonly message: string;
}

/** One check's result. */
export interface CheckResult {
  /** True when the check passed. */
  readonly verdict: boolean;
  /** The check id, e.g. `default.regexMatch`. */
  readonly id: string;
  /** Set when the check could not decide (fail open unless `fail_on_error`). */
  readonly error?: CheckError;
  /** What the check found (explanation, matches …), or null. */
  readonly data: unknown;
  /** True when the check rewrote the request or the answer. */
  readonly transformed: boolean;
  /** Milliseconds the check took. */
  readonly execution_time: number;
  /** ISO time the check started. */
  readonly created_at: string;
  readonly log: unknown;
  /** Whether an error fails the check instead of passing it. */
  readonly fail_on_error: boolean;
}

/** The `feedback` of a hook's `on_fail` / `on_success`, with the checks that decided it. */
export interface HookFeedback {
  readonly value?: number;
  readonly weight?: number;
  readonly metadata: Readonly<Record<string, unknown>> & {
    readonly successfulChecks: string;
    readonly failedChecks: string;
    readonly erroredChecks: string;
  };
}

/** One hook's result. */
export interface HookResult {
  /** True when every check passed or errored without `fail_on_error`. */
  readonly verdict: boolean;
  readonly id: string;
  readonly transformed: boolean;
  readonly checks: readonly CheckResult[];
  readonly feedback: HookFeedback | null;
  readonly execution_time: number;
  readonly async: boolean;
  readonly type: 'guardrail' | 'mutator';
  readonly created_at: string;
  /** True when the hook failed and has `deny: true`. */
  readonly deny: boolean;
  /** Present (true) when the hook does not apply to this request (another route, a mutator on embeddings …). */
  readonly skipped?: true;
}

/** The `hook_results` of one answer. */
export interface HookResults {
  readonly before_request_hooks: readonly HookResult[];
  readonly after_request_hooks: readonly HookResult[];
}

/** True when a hook failed (ran, and its verdict is false). */
export function hookFailed(result: HookResult): boolean {
  return result.skipped !== true && !result.verdict;
}
