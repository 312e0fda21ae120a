import safeRegex from 'safe-regex2';
import { z } from 'zod';
import { compileRe2 } from '../regex/re2.js';

/** Comparison operators a conditional query may use on one value (behaviour reference §4.5). */
export const VALUE_OPERATORS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$regex'] as const;
/** Operators that combine sub-queries. */
export const LOGICAL_OPERATORS = ['$and', '$or'] as const;
/** Longest `$regex` source accepted (configs arrive from untrusted request headers). */
export const MAX_REGEX_SOURCE_LENGTH = 256;
/** Deepest nesting of `$and` / `$or` accepted. */
export const MAX_QUERY_DEPTH = 8;

const valueOperators: ReadonlySet<string> = new Set(VALUE_OPERATORS);
const operatorList = [...VALUE_OPERATORS, ...LOGICAL_OPERATORS].join(' ');

type PathSegment = string | number;
type Report = (path: PathSegment[], message: string, input: unknown) => void;

function isPrimitive(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Why a `$regex` source is refused, or `undefined` when it is acceptable. */
export function checkRegexSource(source: string): string | undefined {
  if (source.length > MAX_REGEX_SOURCE_LENGTH) {
    return `expected a regular expression of at most ${MAX_REGEX_SOURCE_LENGTH} characters`;
  }
  try {
    new RegExp(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'invalid';
    return `expected a valid JavaScript regular expression (${reason})`;
  }
  try {
    // Conditions run on RE2JS (linear time): no backreferences or lookaround.
    compileRe2(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'invalid';
    return `expected a regular expression without backreferences or lookaround (${reason})`;
  }
  if (!safeRegex(source)) {
    return 'expected a regular expression without catastrophic backtracking (nested or overlapping quantifiers such as (a+)+)';
  }
  return undefined;
}

function checkOperand(operator: string, operand: unknown, path: PathSegment[], report: Report): void {
  switch (operator) {
    case '$eq':
    case '$ne':
      if (!isPrimitive(operand)) report(path, 'expected a string, number, boolean or null', operand);
      return;
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      const numeric =
        (typeof operand === 'number' && Number.isFinite(operand)) ||
        (typeof operand === 'string' && Number.isFinite(Number.parseFloat(operand)));
      if (!numeric) report(path, 'expected a number (compared numerically)', operand);
      return;
    }
    case '$in':
    case '$nin':
      if (!Array.isArray(operand) || !operand.every(isPrimitive)) {
        report(path, 'expected an array of strings, numbers, booleans or nulls', operand);
      }
      return;
    case '$regex': {
      if (typeof operand !== 'string') {
        report(path, 'expected a regular expression as a string', operand);
        return;
      }
      const problem = checkRegexSource(operand);
      if (problem !== undefined) report(path, problem, operand);
      return;
    }
  }
}

function checkValueQuery(expected: unknown, path: PathSegment[], report: Report): void {
  if (isPrimitive(expected)) return;
  if (!isPlainObject(expected)) {
    report(
      path,
      'expected a string, number, boolean, null or an object of operators ($eq, $in, …)',
      expected,
    );
    return;
  }
  const entries = Object.entries(expected);
  if (entries.length === 0)
    report(path, `expected at least one operator (${VALUE_OPERATORS.join(' ')})`, expected);
  for (const [operator, operand] of entries) {
    if (!valueOperators.has(operator)) {
      report([...path, operator], `expected one of the operators ${VALUE_OPERATORS.join(' ')}`, operator);
      continue;
    }
    checkOperand(operator, operand, [...path, operator], report);
  }
}

/**
 * Validates a conditional query (`strategy.conditions[].query`) without changing it: keys are dotted
 * paths (`metadata.user.tier`) or `$and` / `$or`; values are plain values (equality) or objects of
 * operators. Unknown operators, wrong operand types and unsafe `$regex` sources are reported.
 */
export function checkConditionQuery(query: unknown, path: PathSegment[], report: Report, depth = 0): void {
  if (!isPlainObject(query)) {
    report(path, 'expected a query object such as {"metadata.tier": {"$eq": "pro"}}', query);
    return;
  }
  if (depth > MAX_QUERY_DEPTH) {
    report(path, `expected $and / $or nested at most ${MAX_QUERY_DEPTH} levels deep`, query);
    return;
  }
  for (const [key, expected] of Object.entries(query)) {
    const keyPath = [...path, key];
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(expected) || expected.length === 0) {
        report(keyPath, 'expected a non-empty array of sub-queries', expected);
        continue;
      }
      expected.forEach((sub, index) => {
        checkConditionQuery(sub, [...keyPath, index], report, depth + 1);
      });
    } else if (key.startsWith('$')) {
      report(
        keyPath,
        `expected a dotted path such as metadata.tier, or one of $and $or (operators: ${operatorList})`,
        key,
      );
    } else if (key.length === 0) {
      report(keyPath, 'expected a non-empty dotted path such as metadata.tier', key);
    } else {
      checkValueQuery(expected, keyPath, report);
    }
  }
}

/** A conditional query, validated by {@link checkConditionQuery}; its contents are kept as written. */
export const conditionQuerySchema = z
  .record(z.string(), z.unknown(), { error: 'expected a query object such as {"metadata.tier": "pro"}' })
  .superRefine((query, context) => {
    checkConditionQuery(query, [], (path, message, input) => {
      context.addIssue({ code: 'custom', path, message, input });
    });
  });
