import type { HookResult } from '@pk/guardrails';
import type { CreateFeedbackInput } from '@pk/store';
import type { RequestEnd } from '../plugins/request-log.js';
import { capturedBodiesOf } from '../request-facts/body-capture.js';

/** Whose feedback a request's hooks give: its tenant, its trace, the key that sent it. */
export interface FeedbackOwner {
  readonly tenant: string;
  readonly traceId: string;
  readonly gatewayKeyId: string | null;
}

/** Where hooks' feedback goes: the store's queue (`store.feedback.record`), off the request path. */
export type RecordFeedback = (input: CreateFeedbackInput) => void;

/**
 * The feedback of hooks' results as `POST /v1/feedback` takes it: one piece per hook whose
 * `on_fail` / `on_success` feedback has a `value` (0 included), with its weight and its metadata
 * (the configured keys, and `successfulChecks`, `failedChecks`, `erroredChecks`), on `owner`'s trace.
 * Portkey's hosted gateway saves the same pieces, except those of value 0 (it tests the value's truth).
 */
export function hookFeedbackInputs(
  results: readonly HookResult[],
  owner: FeedbackOwner,
): CreateFeedbackInput[] {
  const inputs: CreateFeedbackInput[] = [];
  for (const result of results) {
    const feedback = result.feedback;
    if (feedback === null || feedback.value === undefined) continue;
    inputs.push({
      traceId: owner.traceId,
      value: feedback.value,
      ...(feedback.weight === undefined ? {} : { weight: feedback.weight }),
      metadata: feedback.metadata,
      tenant: owner.tenant,
      gatewayKeyId: owner.gatewayKeyId,
    });
  }
  return inputs;
}

/**
 * Hands each piece of `results`' feedback to `record`; a piece the store refuses (a trace id longer
 * than it keeps) is told to `warn` and left out. Never throws: it runs after the answer was sent.
 */
export function recordHookFeedback(
  record: RecordFeedback,
  results: readonly HookResult[],
  owner: FeedbackOwner,
  warn: (message: string) => void,
): void {
  for (const input of hookFeedbackInputs(results, owner)) {
    try {
      record(input);
    } catch (error) {
      warn(`a hook's feedback on trace ${owner.traceId} was not saved: ${(error as Error).message}`);
    }
  }
}

/**
 * The `onRequestEnd` listener that saves the feedback of a request's hooks (those that were not
 * `async`: theirs is saved as each finishes, see `onAsyncResult` in `app.ts`) on its trace: the
 * results the client's `hook_results` and the log record have (the last attempt's). A request
 * without hooks costs one property read.
 */
export function hookFeedbackListener(
  record: RecordFeedback,
  warn: (message: string) => void,
): (end: RequestEnd) => void {
  return (end) => {
    if (end.fields.guardrails === undefined) return;
    const results = capturedBodiesOf(end.request)?.hookResults;
    if (results === undefined) return;
    const { request } = end;
    const owner = {
      tenant: request.tenant,
      traceId: request.traceId,
      gatewayKeyId: request.gatewayKey?.id ?? null,
    };
    recordHookFeedback(record, results.before_request_hooks, owner, warn);
    recordHookFeedback(record, results.after_request_hooks, owner, warn);
  };
}
