import { decodeHeaderValue } from './decode-header-value.js';
import { forEachHeader, type HeaderInput } from './header-input.js';
import {
  PORTKEY_HEADER_PREFIX,
  UNPREFIXED_REQUEST_HEADERS,
  type UnprefixedRequestHeaderName,
} from './header-names.js';
import { createHeaderProblem, type HeaderProblem } from './header-problem.js';
import { checkHeaderValue } from './header-value-check.js';
import { type ProviderKey, selectProviderKey } from './provider-key.js';
import { REQUEST_OPTION_SPEC_BY_HEADER } from './request-option-specs.js';
import type { RequestOptions } from './request-options.js';

/** The un-prefixed headers reported as they were sent (`authorization` is `options.Authorization`). */
export type UnprefixedHeaders = {
  readonly [K in Exclude<UnprefixedRequestHeaderName, 'authorization'>]?: string;
};

/** What {@link parseRequestHeaders} found. */
export interface ParsedRequestHeaders {
  /** Every recognised option whose header was present, non-empty and valid. */
  readonly options: RequestOptions;
  /** The provider key from `authorization`, `x-api-key` or `api-key` (see `selectProviderKey`). */
  readonly providerKey?: ProviderKey;
  /** `x-api-key`, `api-key`, `anthropic-beta`, `anthropic-version`, `openai-beta`, W3C trace context… */
  readonly unprefixed: UnprefixedHeaders;
  /** One entry per refused value, each naming its header; the gateway answers 400 when not empty. */
  readonly problems: readonly HeaderProblem[];
  /** `x-portkey-*` names pk does not know, lower-case: tolerated, not problems. */
  readonly unrecognized: readonly string[];
}

const UNPREFIXED_NAMES: ReadonlySet<string> = new Set(Object.values(UNPREFIXED_REQUEST_HEADERS));
// Comma-list headers: repeated ones are joined, as HTTP allows.
const LIST_VALUED: ReadonlySet<string> = new Set([
  UNPREFIXED_REQUEST_HEADERS.anthropicBeta,
  UNPREFIXED_REQUEST_HEADERS.openaiBeta,
  UNPREFIXED_REQUEST_HEADERS.tracestate,
  UNPREFIXED_REQUEST_HEADERS.baggage,
  UNPREFIXED_REQUEST_HEADERS.cacheControl,
]);

/**
 * Reads Portkey's request headers (gateway side), in one pass: every `x-portkey-*` header pk knows
 * becomes a typed, normalised option (the names {@link buildRequestHeaders} takes), plus
 * `authorization` and the un-prefixed headers the gateway reads. Empty values count as absent. Never
 * throws: a bad value is left out of `options` and reported in `problems`; a header repeated with a
 * different value is a problem too (lists are joined). A config is returned parsed but not validated:
 * the gateway validates it with `@pk/config`'s `parseConfig`, or looks a bare id up.
 */
export function parseRequestHeaders(input: HeaderInput): ParsedRequestHeaders {
  const options: Record<string, unknown> = {};
  const unprefixed: Record<string, string> = {};
  const problems: HeaderProblem[] = [];
  let unrecognized: Set<string> | undefined;

  forEachHeader(input, (rawName, rawValue) => {
    const name = rawName.toLowerCase();
    if (name.startsWith(PORTKEY_HEADER_PREFIX)) {
      const spec = REQUEST_OPTION_SPEC_BY_HEADER.get(name);
      if (spec === undefined) {
        unrecognized ??= new Set();
        unrecognized.add(name);
        return;
      }
      const value = rawValue.trim();
      if (value === '') return;
      const decoded = decodeHeaderValue(spec.kind, name, value, problems);
      if (decoded === undefined) return;
      const current = options[spec.option];
      if (current === undefined) options[spec.option] = decoded;
      else if (Array.isArray(current) && spec.kind === 'list') current.push(...(decoded as string[]));
      else if (!sameValue(current, decoded)) {
        problems.push(conflict(name));
        delete options[spec.option];
      }
      return;
    }
    if (!UNPREFIXED_NAMES.has(name)) return;
    const value = rawValue.trim();
    if (value === '') return;
    const problem = checkHeaderValue(name, value);
    if (problem !== undefined) {
      problems.push(problem);
      return;
    }
    const isAuthorization = name === UNPREFIXED_REQUEST_HEADERS.authorization;
    const target = isAuthorization ? options : unprefixed;
    const key = isAuthorization ? 'Authorization' : name;
    const previous = target[key];
    if (previous === undefined) target[key] = value;
    else if (LIST_VALUED.has(name)) target[key] = `${previous}, ${value}`;
    else if (previous !== value) {
      problems.push(conflict(name));
      delete target[key];
    }
  });

  // The record was filled from the spec table, whose kinds fix each option's type.
  const typed = options as RequestOptions;
  const providerKey = selectProviderKey({
    authorization: typed.Authorization,
    xApiKey: unprefixed[UNPREFIXED_REQUEST_HEADERS.xApiKey],
    apiKey: unprefixed[UNPREFIXED_REQUEST_HEADERS.apiKey],
    gatewayKey: typed.apiKey,
  });
  // Two fixed-shape literals, not `{ ...parsed, providerKey }`: in Node 20 a property defined after
  // a spread gives the object a new hidden class on every call (the map log showed one per request).
  const unrecognizedList = unrecognized === undefined ? [] : [...unrecognized];
  if (providerKey === undefined)
    return { options: typed, unprefixed, problems, unrecognized: unrecognizedList };
  return { options: typed, unprefixed, problems, unrecognized: unrecognizedList, providerKey };
}

// Only reached for a repeated header, so the JSON comparison stays off the common path.
function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && JSON.stringify(a) === JSON.stringify(b));
}

function conflict(header: string): HeaderProblem {
  return createHeaderProblem(header, 'conflicting-values', 'sent more than once with different values');
}
