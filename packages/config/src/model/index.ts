// The config model: full schema, normalisation, cross-field checks, resolveConfig.
export {
  type ConditionContext,
  evaluateCondition,
  MAX_REGEX_SUBJECT_LENGTH,
  matchConditions,
  readContextPath,
} from './conditions.js';
