import { MAX_HEADER_VALUE_LENGTH } from './header-limits.js';
import { createHeaderProblem, type HeaderProblem } from './header-problem.js';

// What Node's HTTP stack accepts in a header value: tab, visible ASCII and Latin-1 (obs-text).
const INVALID_VALUE_CHARACTER = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * Checks that a header can carry `value`: at most {@link MAX_HEADER_VALUE_LENGTH} characters, no
 * CR/LF/NUL or other control character, nothing outside Latin-1. Returns the problem, if any.
 */
export function checkHeaderValue(header: string, value: string): HeaderProblem | undefined {
  if (value.length > MAX_HEADER_VALUE_LENGTH) {
    return createHeaderProblem(header, 'too-long', `longer than ${MAX_HEADER_VALUE_LENGTH} characters`);
  }
  if (!INVALID_VALUE_CHARACTER.test(value)) return undefined;
  const character = INVALID_VALUE_CHARACTER.exec(value)?.[0] ?? '';
  return createHeaderProblem(header, 'invalid-characters', describeCharacter(character));
}

function describeCharacter(character: string): string {
  const code = character.charCodeAt(0);
  const unicode = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (character === '\r' || character === '\n')
    return `contains a line break (${unicode}), which would split the header`;
  if (code === 0) return 'contains a NUL character';
  if (code < 0x100) return `contains the control character ${unicode}`;
  return `contains ${unicode}, outside Latin-1: HTTP header values cannot carry it`;
}
