import { type OpenAIErrorEnvelope, PkError } from '@pk/config';
import type { HookResults } from '../model/hook-results.js';

/** Portkey's message for a denied request (behaviour reference §4.8). */
export const HOOKS_FAILED_MESSAGE =
  'The guardrail checks defined in the config failed. You can find more information in the `hook_results` object.';

/** The 446 body: the OpenAI envelope plus `hook_results`. */
export type DeniedEnvelope = OpenAIErrorEnvelope & { readonly hook_results: HookResults };

/**
 * A guardrail with `deny: true` failed: 446 `hooks_failed` (`PK_ERR_GUARDRAIL_DENIED`) with the
 * hook results beside the error, as Portkey answers. Fallback moves on from it like from any
 * non-2xx answer; retries repeat it only when 446 is in `retry.on_status_codes`.
 */
export class GuardrailDeniedError extends PkError {
  readonly hookResults: HookResults;

  constructor(hookResults: HookResults) {
    super('PK_ERR_GUARDRAIL_DENIED', HOOKS_FAILED_MESSAGE);
    this.name = 'GuardrailDeniedError';
    this.hookResults = hookResults;
  }

  override toEnvelope(): DeniedEnvelope {
    return { ...super.toEnvelope(), hook_results: this.hookResults };
  }
}
