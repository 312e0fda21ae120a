import { compileRe2 } from '../regex/re2.js';
import type { StrategyConfig } from '../schema/strategy.js';

/**
 * What a conditional query is evaluated against (behaviour reference §4.5): the parsed
 * `x-portkey-metadata`, the JSON request body, and the request path.
 */
export interface ConditionContext {
  /** Parsed `x-portkey-metadata` (absent = `{}`). */
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
  /** The JSON request body (`{}` for form-data and streams). */
  readonly params?: Readonly<Record<string, unknown>> | undefined;
  /** The request URL; only `pathname` is visible to queries. */
  readonly url?: { readonly pathname: string } | undefined;
}

/**
 * Longest string a `$regex` is run against (4 KiB, in UTF-16 code units): a longer value does not
 * match. It is never cut, since a pattern run on a prefix answers for text it did not see (`^[a-z ]+$`
 * would pass a value whose other characters start later). The bound is the cost: RE2JS is linear in
 * the text but with a large constant, ~200–400 ms for a hostile 256-character pattern on 4 KiB.
 */
export const MAX_REGEX_SUBJECT_LENGTH = 4096;

/** A compiled `$regex`: true when it matches somewhere in the subject (like `RegExp#test`). */
type RegexTest = (subject: string) => boolean;

const regexCache = new Map<string, RegexTest | null>();

/**
 * Compiles a `$regex` for RE2JS, a linear-time engine (a port of RE2): configs arrive in request
 * headers, and the static backtracking check (`safe-regex2`) misses patterns such as `^(a|aa)+$`
 * that take exponential time in a backtracking engine. RE2 has no backreferences or lookaround;
 * such patterns are refused when the config is validated.
 */
function compileRegex(source: string): RegexTest | null {
  const cached = regexCache.get(source);
  if (cached !== undefined) return cached;
  let compiled: RegexTest | null;
  try {
    const pattern = compileRe2(source);
    compiled = (subject) => pattern.matcher(subject).find();
  } catch {
    compiled = null;
  }
  // A bounded memo: configs repeat, but they come from untrusted headers.
  if (regexCache.size >= 256) regexCache.clear();
  regexCache.set(source, compiled);
  return compiled;
}

/**
 * Reads a dotted path (`metadata.user.tier`, `params.messages.0.role`, `url.pathname`) of any depth
 * from the context. Only own properties are followed, so `__proto__` and friends read `undefined`.
 */
export function readContextPath(context: ConditionContext, path: string): unknown {
  let value: unknown = context;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    if (!Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number.parseFloat(value);
  return Number.NaN;
}

function regexSubject(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > MAX_REGEX_SUBJECT_LENGTH ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function evaluateOperator(operator: string, expected: unknown, actual: unknown): boolean {
  switch (operator) {
    case '$eq':
      return actual === expected;
    case '$ne':
      return actual !== expected;
    case '$gt':
      return toNumber(actual) > toNumber(expected);
    case '$gte':
      return toNumber(actual) >= toNumber(expected);
    case '$lt':
      return toNumber(actual) < toNumber(expected);
    case '$lte':
      return toNumber(actual) <= toNumber(expected);
    case '$in':
      return Array.isArray(expected) && expected.includes(actual);
    case '$nin':
      return Array.isArray(expected) && !expected.includes(actual);
    case '$regex': {
      const subject = regexSubject(actual);
      const regex = typeof expected === 'string' ? compileRegex(expected) : null;
      return subject !== undefined && (regex?.(subject) ?? false);
    }
    default:
      // parseConfig rejects unknown operators; an unvalidated query simply does not match.
      return false;
  }
}

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Evaluates one conditional query against the request context (behaviour reference §4.5).
 * Several keys are an implicit AND; `$and` / `$or` take arrays of sub-queries; a plain value means
 * `$eq`; an object of operators must satisfy every operator. `$gt $gte $lt $lte` compare numerically
 * (`parseFloat`), `$regex` never matches a value longer than 4 KiB. Pure; never throws.
 *
 * Deviation from Portkey (deliberate): Portkey returns as soon as it meets `$regex`, `$and` or `$or`,
 * ignoring later keys of the same object; pk evaluates every key.
 */
export function evaluateCondition(
  query: Readonly<Record<string, unknown>>,
  context: ConditionContext,
): boolean {
  for (const [key, expected] of Object.entries(query)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(expected)) return false;
      const results = expected.map((sub) => isPlainObject(sub) && evaluateCondition(sub, context));
      const ok = key === '$and' ? results.every(Boolean) : results.some(Boolean);
      if (!ok) return false;
      continue;
    }
    const actual = readContextPath(context, key);
    if (isPlainObject(expected)) {
      for (const [operator, operand] of Object.entries(expected)) {
        if (!evaluateOperator(operator, operand, actual)) return false;
      }
    } else if (actual !== expected) {
      return false;
    }
  }
  return true;
}

/**
 * Picks the target of a conditional strategy: the `then` of the first condition whose query
 * matches, else `default`, else `undefined` (the engine answers 400 "No conditions passed").
 */
export function matchConditions(
  strategy: Pick<StrategyConfig, 'conditions' | 'default'>,
  context: ConditionContext,
): string | undefined {
  for (const condition of strategy.conditions ?? []) {
    if (evaluateCondition(condition.query, context)) return condition.then;
  }
  return strategy.default;
}
