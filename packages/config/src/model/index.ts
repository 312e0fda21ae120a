// The config model: full schema, normalisation, cross-field checks, resolveConfig.
export { DEFAULT_CACHE_THRESHOLD, isCacheMaxAgeInRange, normalizeCache } from '../schema/cache.js';
export {
  checkConditionQuery,
  checkRegexSource,
  conditionQuerySchema,
  LOGICAL_OPERATORS,
  MAX_QUERY_DEPTH,
  MAX_REGEX_SOURCE_LENGTH,
  VALUE_OPERATORS,
} from '../schema/condition-query.js';
export {
  type CustomHostOptions,
  checkCustomHost,
  customHostFormProblem,
  customHostSchema,
  DEFAULT_TRUSTED_CUSTOM_HOSTS,
} from '../schema/custom-host.js';
export {
  type GuardrailEntry,
  guardrailListSchema,
  type HookObject,
  hookListSchema,
  hookObjectSchema,
  mutatorListSchema,
} from '../schema/hooks.js';
export {
  INTERNAL_IPV4_BLOCKS,
  INTERNAL_IPV6_BLOCKS,
  isInternalAddress,
  isIpv4Literal,
} from '../schema/ip-ranges.js';
export {
  PROVIDER_CREDENTIAL_KEYS,
  PROVIDER_OPTION_KEYS,
  PROVIDER_STRING_OPTION_KEYS,
  type ProviderStringOptionKey,
  providerOptionsShape,
} from '../schema/provider-options.js';
export type { DeepReadonly, ReadonlyConfig } from '../schema/readonly-config.js';
export {
  type Config,
  type ConfigInput,
  type ConfigTarget,
  configProviderSchema,
  configSchema,
  forwardHeaderNameSchema,
  MAX_TARGET_DEPTH,
  rootOnlyFields,
  targetSchema,
} from '../schema/target.js';
export { planCacheIdentity, planForwardedHeaderNames, planRoutesByMetadata } from './cache-identity.js';
export {
  type ConditionContext,
  evaluateCondition,
  MAX_REGEX_SUBJECT_LENGTH,
  matchConditions,
  readContextPath,
} from './conditions.js';
export { type ConfigCheckOptions, checkConfig } from './config-checks.js';
export { describeValue, formatConfigPath, type PathSegment } from './config-path.js';
export type { ConfigIssue, ParseConfigResult } from './config-result.js';
export { type ConfigNode, type NodePlace, walkConfig } from './config-walk.js';
export { collectConfigWarnings } from './config-warnings.js';
export type { HeaderOverrides, ProviderOptions } from './header-overrides.js';
export { convertHookShorthand, type ShorthandSource } from './hook-shorthand.js';
export { CONFIG_JSON_SCHEMA_ID, createConfigJsonSchema } from './json-schema.js';
export { camelToSnake } from './key-spelling.js';
export { type NormalizedKeys, normalizeConfigKeys } from './normalize-keys.js';
export { type ParseAndResolveResult, parseAndResolveConfig } from './parse-and-resolve.js';
export { type ParseConfigOptions, parseConfig, parseConfigOrThrow } from './parse-config.js';
export { configIdOf, type ResolveConfigOptions, resolveConfig } from './resolve-config.js';
export { canonicalJson, stableHash } from './stable-hash.js';
export {
  applyVirtualKeyReferences,
  configModelReference,
  type LeafModelResolution,
  resolveLeafModelReference,
  type VirtualKeyReferenceOptions,
} from './virtual-key-references.js';
