import { compileLinearRegex, type LinearRegex } from '@pk/config';
import type { CompiledParameters } from '../model/check-definition.js';
import { refuse } from '../model/parameters.js';

/** Longest pattern a check accepts (configs arrive in request headers). */
export const MAX_CHECK_REGEX_LENGTH = 4096;

/**
 * Compiles a pattern from a config for the linear-time engine of `@pk/config` (RE2JS): a config's
 * pattern can never stall the process, whatever the text. Backreferences and lookaround do not exist
 * there; such patterns are refused when the config is parsed.
 */
export function compileConfigRegex(
  source: string,
  path: readonly (string | number)[],
  flags: { caseInsensitive?: boolean; multiline?: boolean; dotAll?: boolean } = {},
): CompiledParameters<LinearRegex> {
  if (source.length === 0) return refuse(path, 'expected a non-empty regular expression');
  if (source.length > MAX_CHECK_REGEX_LENGTH)
    return refuse(path, `expected a regular expression of at most ${MAX_CHECK_REGEX_LENGTH} characters`);
  const compiled = compileLinearRegex(source, flags);
  if (!compiled.ok)
    return refuse(
      path,
      `expected a regular expression the linear-time engine (RE2) runs: no backreferences or lookaround (${compiled.reason})`,
    );
  return { ok: true, parameters: compiled.regex };
}

/**
 * A pattern written as `/source/flags` (Portkey's `regexReplace` form) or plain. Flags `i`, `m`, `s`
 * apply; `g` (replace all) is reported; `u`, `y`, `d` change nothing here.
 */
export function compileSlashRegex(
  written: string,
  path: readonly (string | number)[],
): CompiledParameters<{ regex: LinearRegex; global: boolean }> {
  const literal = /^\/(.+)\/([a-z]*)$/s.exec(written);
  const source = literal?.[1] ?? written;
  const flags = literal?.[2] ?? '';
  if (!/^[gimsuyd]*$/.test(flags)) return refuse(path, `expected regex flags among gimsuyd, got "${flags}"`);
  const compiled = compileConfigRegex(source, path, {
    caseInsensitive: flags.includes('i'),
    multiline: flags.includes('m'),
    dotAll: flags.includes('s'),
  });
  if (!compiled.ok) return compiled;
  return { ok: true, parameters: { regex: compiled.parameters, global: flags.includes('g') } };
}
