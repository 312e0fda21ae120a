import { TIMER_EXPECTATION } from '@pk/config';
import {
  CACHE_MODE_EXPECTATION,
  DECIMAL_NUMBER,
  decodeCacheMode,
  decodeTimer,
  isJsonObject,
} from './decode-header-value.js';
import {
  createHeaderProblem,
  type HeaderProblem,
  type HeaderProblemReason,
  headerProblemToError,
} from './header-problem.js';
import type { ValueKind } from './request-option-kinds.js';

// JSON can spell any character as `\uXXXX`: every one beyond ASCII is written so. A header cannot
// carry those beyond Latin-1 as they are, and Latin-1 ones might be read as UTF-8 by the gateway.
const NOT_HEADER_SAFE_IN_JSON = /[\u007f-\uffff]/g;

/**
 * `JSON.stringify(value)`, compact, with every character beyond ASCII written as a `\uXXXX` escape,
 * so metadata in any script reaches the gateway unchanged (the official SDK throws on them).
 */
export function toHeaderJson(header: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    throw invalid(header, 'invalid-json', 'cannot be written as JSON');
  }
  if (json === undefined) throw invalid(header, 'invalid-json', 'cannot be written as JSON');
  return escapeBeyondAscii(json);
}

/** JSON text with every character beyond ASCII (only ever inside a string) as a `\\uXXXX` escape. */
function escapeBeyondAscii(json: string): string {
  return json.replace(NOT_HEADER_SAFE_IN_JSON, (character) => {
    return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/**
 * Writes an option's value as `kind` (the inverse of `decodeHeaderValue`). Throws a
 * `PK_ERR_INVALID_HEADER` `PkError` naming `header` when the value does not fit the kind.
 */
export function encodeHeaderValue(kind: ValueKind, header: string, value: unknown): string {
  switch (kind) {
    case 'string':
      return encodeGenericValue(header, value);
    case 'boolean':
      if (typeof value === 'boolean') return String(value);
      // The official SDK types `mistralFimCompletion` as a string: accept the two spellings.
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim()))
        return value.trim().toLowerCase();
      throw invalid(header, 'invalid-boolean', 'expected true or false');
    case 'number':
      return encodeNumber(header, value);
    case 'timer-ms':
      return encodeTimer(header, value);
    case 'list':
      return encodeList(header, value);
    case 'json-object':
      if (isJsonObject(value)) return toHeaderJson(header, value);
      throw invalid(header, 'not-an-object', 'expected an object');
    case 'metadata':
      if (isJsonObject(value)) return toHeaderJson(header, value);
      if (typeof value === 'string') return encodeJsonObjectText(header, value);
      throw invalid(header, 'not-an-object', 'expected an object');
    case 'json-array':
      if (Array.isArray(value)) return toHeaderJson(header, value);
      throw invalid(header, 'not-an-array', 'expected an array');
    case 'config':
      if (typeof value === 'string') return value.trim();
      if (isJsonObject(value)) return toHeaderJson(header, value);
      throw invalid(header, 'not-an-object', "expected a config object or a saved config's id");
    case 'cache-mode': {
      const text = typeof value === 'boolean' ? String(value) : typeof value === 'string' ? value.trim() : '';
      if (decodeCacheMode(header, text, []) !== undefined) return text.toLowerCase();
      throw invalid(header, 'invalid-value', CACHE_MODE_EXPECTATION);
    }
  }
}

/**
 * The JSON text of an object, as the official SDK sends a string option: trimmed, the same bytes
 * (only characters beyond ASCII, which can stand only inside its strings, become `\uXXXX`, as in
 * {@link toHeaderJson}). Text that is not an object's JSON is refused.
 */
function encodeJsonObjectText(header: string, value: string): string {
  const text = value.trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(header, 'invalid-json', 'expected an object or the JSON text of one');
  }
  if (!isJsonObject(parsed))
    throw invalid(header, 'not-an-object', 'expected an object or the JSON text of one');
  return escapeBeyondAscii(text);
}

/**
 * Writes a value the way the official SDK writes an untyped option (wire contract §3): strings as
 * they are (trimmed, as `fetch` does), booleans and numbers as text (`0` as `"0"`), objects as JSON.
 */
export function encodeGenericValue(header: string, value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value.trim();
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    case 'object':
      return toHeaderJson(header, value);
    default:
      throw invalid(header, 'invalid-characters', `a ${typeof value} cannot be sent in a header`);
  }
}

function encodeTimer(header: string, value: unknown): string {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const problems: HeaderProblem[] = [];
  if (decodeTimer(header, text, problems) !== undefined) return text;
  throw invalid(header, 'invalid-number', TIMER_EXPECTATION);
}

function encodeNumber(header: string, value: unknown): string {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  // Only a plain decimal reads back as the same number (`1e21`, `NaN`, `-1` do not).
  if (DECIMAL_NUMBER.test(text)) return text;
  throw invalid(header, 'invalid-number', 'expected a non-negative decimal number');
}

function encodeList(header: string, value: unknown): string {
  const names = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(names) || !names.every((name) => typeof name === 'string')) {
    throw invalid(header, 'invalid-list', 'expected an array of header names');
  }
  return names
    .map((name: string) => name.trim())
    .filter((name) => name !== '')
    .join(',');
}

function invalid(header: string, reason: HeaderProblemReason, detail: string): Error {
  return headerProblemToError(createHeaderProblem(header, reason, detail));
}
