import { decodeHeaderValue } from './decode-header-value.js';
import { encodeGenericValue, encodeHeaderValue } from './encode-header-value.js';
import { UNPREFIXED_REQUEST_HEADERS } from './header-names.js';
import { createHeaderProblem, type HeaderProblem, headerProblemToError } from './header-problem.js';
import { checkHeaderValue } from './header-value-check.js';
import { headerNameOfOption } from './option-header-name.js';
import { REQUEST_OPTION_SPEC_BY_HEADER, REQUEST_OPTION_SPECS } from './request-option-specs.js';
import type { RequestHeaderOptions } from './request-options.js';

// An HTTP token (RFC 9110 §5.6.2): what an unknown option's name must turn into.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/**
 * The official SDK's "empty" (wire contract §3 rule 1): `null`, `undefined`, a blank string, `[]`
 * and `{}` send no header. `false` and `0` are not empty.
 */
export function isEmptyOptionValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/**
 * Builds the request headers the official `portkey-ai` SDK sends for `options` (its `createHeaders`,
 * wire contract §3–4): the same names and encodings, in a stable order (known headers in
 * `REQUEST_HEADER_NAMES` order, then `authorization`, then other options in the order given).
 *
 * Differences from the official SDK, on purpose: `0` is sent as `"0"` (the SDK sends `""`); options
 * named in `forwardHeaders` keep their `x-portkey-` prefix (the SDK drops it); characters beyond
 * ASCII inside JSON values are `\uXXXX`-escaped (the SDK throws on those outside Latin-1). No default is added:
 * `strictOpenAiCompliance` is sent only when given.
 *
 * @throws PkError `PK_ERR_INVALID_HEADER`, naming the header, for a value a header cannot carry
 *   (CR/LF/NUL, other control characters, non-Latin-1 text, over 32 KiB), a value that does not fit
 *   its option (bad number, boolean, list, JSON), metadata over its limits, or two spellings of one
 *   option with different values.
 */
export function buildRequestHeaders(options: RequestHeaderOptions): Record<string, string> {
  const known: (string | undefined)[] = [];
  const others = new Map<string, string>();
  let authorization: string | undefined;

  for (const key of Object.keys(options)) {
    const value = options[key];
    if (isEmptyOptionValue(value)) continue;
    if (key.toLowerCase() === UNPREFIXED_REQUEST_HEADERS.authorization) {
      const header = UNPREFIXED_REQUEST_HEADERS.authorization;
      authorization = merge(header, authorization, checked(header, encodeGenericValue(header, value)));
      continue;
    }
    const header = headerNameOfOption(key);
    const spec = REQUEST_OPTION_SPEC_BY_HEADER.get(header);
    if (spec === undefined) {
      if (!HEADER_NAME.test(header)) {
        throw headerProblemToError(
          createHeaderProblem(header, 'invalid-name', `option "${key}" is not a valid header name`),
        );
      }
      others.set(
        header,
        merge(header, others.get(header), checked(header, encodeGenericValue(header, value))),
      );
      continue;
    }
    const encoded = encodeHeaderValue(spec.kind, header, value);
    if (encoded === '') continue;
    const problems: HeaderProblem[] = [];
    decodeHeaderValue(spec.kind, header, encoded, problems);
    if (problems[0] !== undefined) throw headerProblemToError(problems[0]);
    known[spec.index] = merge(header, known[spec.index], encoded);
  }

  const headers: Record<string, string> = {};
  for (const spec of REQUEST_OPTION_SPECS) {
    const value = known[spec.index];
    if (value !== undefined) headers[spec.header] = value;
  }
  if (authorization !== undefined) headers[UNPREFIXED_REQUEST_HEADERS.authorization] = authorization;
  for (const [header, value] of others) headers[header] = value;
  return headers;
}

function checked(header: string, value: string): string {
  const problem = checkHeaderValue(header, value);
  if (problem !== undefined) throw headerProblemToError(problem);
  return value;
}

/** Two spellings of one option (`traceId` and `traceID`) may both be given only with one value. */
function merge(header: string, previous: string | undefined, next: string): string {
  if (previous === undefined || previous === next) return next;
  throw headerProblemToError(
    createHeaderProblem(header, 'conflicting-values', 'two options with different values name this header'),
  );
}
