import type { RE2JS } from 're2js';
import { compileRe2, re2 } from './re2.js';

/**
 * Regular expressions from configs run here, on RE2JS (a port of RE2): matching takes time linear
 * in the text, whatever the pattern, so a pattern sent in a request header cannot stall the process.
 * RE2 has no backreferences and no lookaround; such patterns do not compile. Patterns are written
 * for JavaScript's `RegExp` (as Portkey runs them): its `\uXXXX` escapes are read too. Conditional
 * `$regex` and the guardrail checks (`@pk/guardrails`) share this engine.
 */

/** Flags of a linear-time regex (the RE2 inline forms `(?i)`, `(?s)`, `(?m)` work too). */
export interface LinearRegexFlags {
  /** `i`: letters match either case. */
  readonly caseInsensitive?: boolean;
  /** `m`: `^` and `$` match at line breaks. */
  readonly multiline?: boolean;
  /** `s`: `.` matches line breaks. */
  readonly dotAll?: boolean;
}

/** One match: offsets are UTF-16 indices into the text, as `String#slice` takes them. */
export interface LinearRegexMatch {
  /** Index of the first character matched. */
  readonly start: number;
  /** Index after the last character matched. */
  readonly end: number;
  /** The matched text. */
  readonly text: string;
  /** Capture groups 1…n (`null` when a group did not take part). */
  readonly captures: readonly (string | null)[];
  /** Named capture groups. */
  readonly groups: Readonly<Record<string, string | null>>;
}

/** A compiled pattern. Immutable: safe to share between requests. */
export interface LinearRegex {
  /** The pattern as written. */
  readonly source: string;
  /** True when the pattern matches somewhere in `text`. */
  test(text: string): boolean;
  /** The leftmost match at or after `from` (default 0), with the whole text as context for `^`, `\b`. */
  find(text: string, from?: number): LinearRegexMatch | undefined;
  /**
   * Every match replaced by `replacement` (`$1`, `$<name>`, `$&`, `$$` as in `String#replace`), or
   * only the first when `all` is false. Returns the new text and how many matches were replaced.
   */
  replace(
    text: string,
    replacement: string,
    all?: boolean,
  ): { readonly text: string; readonly count: number };
}

/** What {@link compileLinearRegex} gives: the pattern, or why it cannot run on RE2. */
export type LinearRegexResult =
  | { readonly ok: true; readonly regex: LinearRegex }
  | { readonly ok: false; readonly reason: string };

function flagBits(flags: LinearRegexFlags): number {
  let bits = 0;
  if (flags.caseInsensitive) bits |= re2().CASE_INSENSITIVE;
  if (flags.multiline) bits |= re2().MULTILINE;
  if (flags.dotAll) bits |= re2().DOTALL;
  return bits;
}

function matchOf(matcher: ReturnType<RE2JS['matcher']>, count: number): LinearRegexMatch {
  const captures: (string | null)[] = [];
  for (let group = 1; group <= count; group += 1) captures.push(matcher.group(group));
  return {
    start: matcher.start(),
    end: matcher.end(),
    text: matcher.group() ?? '',
    captures,
    groups: matcher.hasNamedGroups ? matcher.getNamedGroups() : {},
  };
}

/** Compiles `source` for the linear-time engine; never throws. */
export function compileLinearRegex(source: string, flags: LinearRegexFlags = {}): LinearRegexResult {
  let pattern: RE2JS;
  try {
    pattern = compileRe2(source, flagBits(flags));
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'invalid pattern';
    return { ok: false, reason };
  }
  const groupCount = pattern.groupCount();
  const regex: LinearRegex = {
    source,
    test: (text) => pattern.matcher(text).find(),
    find(text, from = 0) {
      if (from > text.length) return undefined;
      const matcher = pattern.matcher(text);
      return matcher.find(from) ? matchOf(matcher, groupCount) : undefined;
    },
    replace(text, replacement, all = true) {
      const matcher = pattern.matcher(text);
      let count = 0;
      let out = '';
      let last = 0;
      let from = 0;
      while (from <= text.length && matcher.find(from)) {
        const start = matcher.start();
        const end = matcher.end();
        out += text.slice(last, start) + expandReplacement(replacement, matchOf(matcher, groupCount), text);
        last = end;
        count += 1;
        if (!all) break;
        // An empty match must move on, or the loop would find it again.
        from = end === start ? end + 1 : end;
      }
      return { text: count === 0 ? text : out + text.slice(last), count };
    },
  };
  return { ok: true, regex };
}

/** `String#replace`'s substitution patterns ($$, $&, $`, $', $n, $<name>) for one match. */
function expandReplacement(replacement: string, match: LinearRegexMatch, text: string): string {
  if (!replacement.includes('$')) return replacement;
  return replacement.replace(/\$(\$|&|`|'|\d{1,2}|<([^>]*)>)/g, (whole, token: string, name?: string) => {
    if (token === '$') return '$';
    if (token === '&') return match.text;
    if (token === '`') return text.slice(0, match.start);
    if (token === "'") return text.slice(match.end);
    if (name !== undefined) return Object.hasOwn(match.groups, name) ? (match.groups[name] ?? '') : whole;
    const index = Number(token);
    if (index >= 1 && index <= match.captures.length) return match.captures[index - 1] ?? '';
    // `$12` with one group: group 1, then "2" (as String#replace does).
    const first = Number(token[0]);
    if (token.length === 2 && first >= 1 && first <= match.captures.length)
      return (match.captures[first - 1] ?? '') + token.slice(1);
    return whole;
  });
}
