export * from './engine/index.js';
export { PK_ERROR_CATALOGUE, PK_ERROR_CODES, type PkErrorCode } from './errors/error-codes.js';
export {
  createErrorEnvelope,
  type OpenAIErrorEnvelope,
  openAIErrorEnvelopeSchema,
  PkError,
  statusOfErrorCode,
} from './errors/error-envelope.js';
export {
  addCredential,
  longestFirst,
  MIN_CREDENTIAL_LENGTH,
  REDACTED,
  redactCredentials,
  redactCredentialsInJson,
} from './errors/redact-credentials.js';
export * from './model/index.js';
export type {
  ConfigWarning,
  PlanGroup,
  PlanLeaf,
  PlanNode,
  PlanNodeCommon,
  ResolvedPlan,
} from './plan/plan.js';
export {
  isProviderId,
  PROVIDER_IDS,
  type ProviderId,
  type ProviderReference,
  parseModelReference,
  parseProviderReference,
  providerIdSchema,
  providerReferenceSchema,
  VIRTUAL_KEY_ID_PATTERN,
  virtualKeySlugSchema,
} from './provider-id.js';
export {
  compileLinearRegex,
  type LinearRegex,
  type LinearRegexFlags,
  type LinearRegexMatch,
  type LinearRegexResult,
} from './regex/linear-regex.js';
export {
  type CacheConfig,
  type CachePolicy,
  cacheSchema,
  DEFAULT_CACHE_MAX_AGE_SECONDS,
  MAX_CACHE_MAX_AGE_SECONDS,
  MIN_CACHE_MAX_AGE_SECONDS,
} from './schema/cache.js';
export { type CircuitBreakerConfig, circuitBreakerSchema } from './schema/circuit-breaker.js';
export {
  DEFAULT_RETRY_STATUS_CODES,
  MAX_RETRY_ATTEMPTS,
  normalizeRetry,
  type RetryBackoffConfig,
  type RetryConfig,
  type RetryPolicy,
  retryBackoffSchema,
  retrySchema,
} from './schema/retry.js';
export {
  type Condition,
  conditionSchema,
  type StrategyConfig,
  type StrategyMode,
  strategyModeSchema,
  strategySchema,
} from './schema/strategy.js';
export { isValidTimerMs, MAX_TIMER_MS, TIMER_EXPECTATION, timerMsSchema } from './schema/timer.js';
export { VERSION } from './version.js';
