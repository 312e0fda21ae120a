import { isValidTimerMs, TIMER_EXPECTATION } from '@pk/config';
import { MAX_METADATA_KEYS, MAX_METADATA_LENGTH } from './header-limits.js';
import { CORE_REQUEST_HEADERS } from './header-names.js';
import { createHeaderProblem, type HeaderProblem } from './header-problem.js';
import { checkHeaderValue } from './header-value-check.js';
import type { ValueKind } from './request-option-kinds.js';
import type { CacheModeOption, JsonObject } from './request-options.js';
import { readUtf8HeaderText } from './utf8-header-text.js';

/** A non-negative plain decimal: what a `number` header holds (`3000`, `12.5`). */
export const DECIMAL_NUMBER = /^\d{1,16}(\.\d{1,20})?$/;
/** A plain whole number short enough to be a timer (at most 9 digits: 24 h is 8). */
const TIMER_DIGITS = /^\d{1,9}$/;
const HEADER_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Reads one header value (already trimmed, not empty) as `kind`. Returns the value, or `undefined`
 * after pushing a problem naming `header`. Pure; the gateway calls it once per recognised header.
 * Inside JSON, UTF-8 sent as it is (read by Node as Latin-1) is read as UTF-8: see `readUtf8HeaderText`.
 */
export function decodeHeaderValue(
  kind: ValueKind,
  header: string,
  value: string,
  problems: HeaderProblem[],
): unknown {
  const problem = checkHeaderValue(header, value);
  if (problem !== undefined) {
    problems.push(problem);
    return undefined;
  }
  switch (kind) {
    case 'string':
      return value;
    case 'boolean':
      return decodeBoolean(header, value, problems);
    case 'number':
      if (DECIMAL_NUMBER.test(value)) return Number(value);
      problems.push(createHeaderProblem(header, 'invalid-number', 'expected a non-negative decimal number'));
      return undefined;
    case 'timer-ms':
      return decodeTimer(header, value, problems);
    case 'list':
      return decodeList(header, value, problems);
    case 'json-object':
      return decodeJsonObject(header, value, problems);
    case 'json-array':
      return decodeJsonArray(header, value, problems);
    case 'metadata':
      return decodeMetadata(header, value, problems);
    case 'config':
      // A JSON object, or else a saved config's id (wire contract §0.3). Other JSON is neither.
      if (value.startsWith('{')) return decodeConfigObject(header, value, problems);
      return isOtherJson(header, value, problems) ? undefined : value;
    case 'cache-mode':
      return decodeCacheMode(header, value, problems);
  }
}

/** What `x-portkey-cache` may say (hosted Portkey: `simple`, `semantic`, `true` meaning simple). */
export const CACHE_MODE_EXPECTATION = 'expected "simple", "semantic", "true" or "false"';

/** Portkey's legacy cache mode: `simple`, `semantic`, `true` (simple) or `false` (none). */
export function decodeCacheMode(
  header: string,
  value: string,
  problems: HeaderProblem[],
): CacheModeOption | undefined {
  switch (value.toLowerCase()) {
    case 'simple':
    case 'true':
      return 'simple';
    case 'semantic':
      return 'semantic';
    case 'false':
      return false;
    default:
      problems.push(createHeaderProblem(header, 'invalid-value', CACHE_MODE_EXPECTATION));
      return undefined;
  }
}

/** A timer in milliseconds: `1` to `86400000`, digits only (the same rule as a config's `request_timeout`). */
export function decodeTimer(header: string, value: string, problems: HeaderProblem[]): number | undefined {
  const timer = TIMER_DIGITS.test(value) ? Number(value) : Number.NaN;
  if (isValidTimerMs(timer)) return timer;
  problems.push(createHeaderProblem(header, 'invalid-number', TIMER_EXPECTATION));
  return undefined;
}

// A JSON number, `true`, `false` or `null`: never a saved config's id.
const JSON_LITERAL = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)$/;

/**
 * True (with a problem pushed) when a config value is JSON but not an object: an array, a string in
 * quotes, a number, `true`, `false` or `null`. Such a value was meant as a config, not as a saved
 * config's id, and is refused without repeating it (it may carry credentials).
 */
function isOtherJson(header: string, value: string, problems: HeaderProblem[]): boolean {
  const first = value[0];
  if (first === '[' || first === '"') {
    const parsed = parseJson(header, value, problems);
    if (parsed === undefined) return true;
    const kind = Array.isArray(parsed.json) ? 'an array' : 'a string';
    problems.push(notAConfig(header, kind));
    return true;
  }
  if (!JSON_LITERAL.test(value)) return false;
  problems.push(notAConfig(header, /^[-\d]/.test(value) ? 'a number' : value));
  return true;
}

function notAConfig(header: string, got: string): HeaderProblem {
  return createHeaderProblem(
    header,
    'not-an-object',
    `expected a JSON object or a saved config's id, got JSON that is ${got}`,
  );
}

function decodeBoolean(header: string, value: string, problems: HeaderProblem[]): boolean | undefined {
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  problems.push(createHeaderProblem(header, 'invalid-boolean', 'expected "true" or "false"'));
  return undefined;
}

function decodeList(header: string, value: string, problems: HeaderProblem[]): string[] | undefined {
  const names: string[] = [];
  for (const part of value.split(',')) {
    const name = part.trim();
    if (name === '') continue;
    if (!HEADER_TOKEN.test(name)) {
      problems.push(createHeaderProblem(header, 'invalid-list', 'expected header names separated by ","'));
      return undefined;
    }
    if (name.toLowerCase() === CORE_REQUEST_HEADERS.forwardHeaders) {
      problems.push(createHeaderProblem(header, 'invalid-list', 'may not forward itself'));
      return undefined;
    }
    names.push(name);
  }
  return names.length === 0 ? undefined : names;
}

function parseJson(header: string, value: string, problems: HeaderProblem[]): { json: unknown } | undefined {
  try {
    return { json: JSON.parse(readUtf8HeaderText(value)) };
  } catch {
    problems.push(createHeaderProblem(header, 'invalid-json', 'not valid JSON'));
    return undefined;
  }
}

function decodeJsonObject(header: string, value: string, problems: HeaderProblem[]): JsonObject | undefined {
  const parsed = parseJson(header, value, problems);
  if (parsed === undefined) return undefined;
  if (isJsonObject(parsed.json)) return parsed.json;
  problems.push(createHeaderProblem(header, 'not-an-object', 'expected a JSON object'));
  return undefined;
}

/** Distinct inline config texts kept parsed (a client sends the same config on every request). */
const MAX_PARSED_CONFIGS = 256;
const parsedConfigs = new Map<string, JsonObject>();

/**
 * An inline config, parsed once per distinct text (bounded: emptied when full). The object returned
 * is shared by every request that sent the same text, so it is frozen: nothing may change it.
 */
function decodeConfigObject(
  header: string,
  value: string,
  problems: HeaderProblem[],
): JsonObject | undefined {
  const known = parsedConfigs.get(value);
  if (known !== undefined) return known;
  const decoded = decodeJsonObject(header, value, problems);
  if (decoded === undefined) return undefined;
  if (parsedConfigs.size >= MAX_PARSED_CONFIGS) parsedConfigs.clear();
  parsedConfigs.set(value, deepFreeze(decoded));
  return decoded;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

function decodeJsonArray(header: string, value: string, problems: HeaderProblem[]): unknown[] | undefined {
  const parsed = parseJson(header, value, problems);
  if (parsed === undefined) return undefined;
  if (Array.isArray(parsed.json)) return parsed.json;
  problems.push(createHeaderProblem(header, 'not-an-array', 'expected a JSON array'));
  return undefined;
}

function decodeMetadata(header: string, value: string, problems: HeaderProblem[]): JsonObject | undefined {
  // The limit is on the header as sent, so the SDK side can check exactly what the gateway checks.
  if (value.length > MAX_METADATA_LENGTH) {
    problems.push(
      createHeaderProblem(header, 'metadata-too-large', `longer than ${MAX_METADATA_LENGTH} characters`),
    );
    return undefined;
  }
  const metadata = decodeJsonObject(header, value, problems);
  if (metadata === undefined) return undefined;
  if (Object.keys(metadata).length > MAX_METADATA_KEYS) {
    problems.push(
      createHeaderProblem(header, 'metadata-too-many-keys', `more than ${MAX_METADATA_KEYS} keys`),
    );
    return undefined;
  }
  return metadata;
}

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
