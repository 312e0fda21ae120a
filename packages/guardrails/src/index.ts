export {
  CHECK_DEFINITIONS,
  type CheckLookup,
  lookupCheck,
  PARTNER_CHECK_SOURCES,
} from './checks/registry.js';
export {
  type CompileHookResult,
  compileRawHook,
  compileShorthandEntry,
  type HookIssue,
  type HookSource,
  SHORTHAND_HOOK_KEYS,
} from './compile/compile-hook.js';
export type { CompiledCheck, CompiledHook, FeedbackConfig } from './compile/compiled-hook.js';
export { compileOperatorGuardrails, HookCompiler } from './compile/hook-compiler.js';
export type {
  CheckDefinition,
  CheckOutcome,
  CheckRunInput,
  CompiledParameters,
  CompileOptions,
  HookOrigin,
  ParameterIssue,
} from './model/check-definition.js';
export type { HookContext, HookEvent, HookRequest, HookResponse, RequestType } from './model/hook-context.js';
export {
  type CheckError,
  type CheckResult,
  type HookFeedback,
  type HookResult,
  type HookResults,
  hookFailed,
} from './model/hook-results.js';
export type {
  GuardrailHttpRequest,
  GuardrailHttpResponse,
  GuardrailServices,
  GuardrailTransport,
} from './network/guardrail-transport.js';
export { SecretValue } from './network/secret-value.js';
export { signatureHeaders } from './network/signature.js';
export { PII_CATEGORIES, type PiiCategory } from './pk/pii-detectors.js';
export { SECRET_KINDS } from './pk/secret-detectors.js';
export {
  type DeniedEnvelope,
  GuardrailDeniedError,
  HOOKS_FAILED_MESSAGE,
} from './run/guardrail-denied-error.js';
export { collectPlanHooks, type PlanHooks, planHasHooks } from './run/plan-hooks.js';
export { type HooksRun, type RunHooksInput, runHooks } from './run/run-hooks.js';
export { guardMessagesSseStream, type MessagesSseGuardOptions } from './stream/messages-sse-guard.js';
export { guardResponsesSseStream, type ResponsesSseGuardOptions } from './stream/responses-sse-guard.js';
export { type CancellableByteStream, guardSseStream, type SseGuardOptions } from './stream/sse-guard.js';
export { DEFAULT_HOLDBACK_CHARS, type GuardStep, TextWindowGuard } from './stream/text-window-guard.js';
export { VERSION } from './version.js';
