import type { ConfigWarning } from '@pk/config';

/** What a header value may not hold (controls), or what clients may not read back alike (beyond ASCII). */
const OUTSIDE_PRINTABLE_ASCII = /[^\x20-\x7e]/g;

function escaped(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * A config's warnings as `x-pk-warnings` lines: their messages, each character outside printable
 * ASCII written `\uXXXX` (an unknown key may be any JSON string, a header value may not). Undefined
 * when the config has none. Run once per plan (the plan is memoised), on the config cache's warnings.
 */
export function configWarningLines(warnings: readonly ConfigWarning[]): readonly string[] | undefined {
  if (warnings.length === 0) return undefined;
  return warnings.map((warning) => warning.message.replace(OUTSIDE_PRINTABLE_ASCII, escaped));
}
