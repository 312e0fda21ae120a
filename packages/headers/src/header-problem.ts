import { PkError } from '@pk/config';

/** Why a header value was refused. */
export type HeaderProblemReason =
  | 'invalid-name'
  | 'invalid-characters'
  | 'too-long'
  | 'invalid-json'
  | 'not-an-object'
  | 'not-an-array'
  | 'invalid-number'
  | 'invalid-boolean'
  | 'invalid-list'
  | 'metadata-too-large'
  | 'metadata-too-many-keys'
  | 'invalid-value'
  | 'conflicting-values';

/** One header value that could not be read. `message` names the header and never repeats the value. */
export interface HeaderProblem {
  /** The header, lower-case (e.g. `x-portkey-metadata`). */
  readonly header: string;
  /** A stable reason code. */
  readonly reason: HeaderProblemReason;
  /** `<header>: <what is wrong>`, safe to show to clients. */
  readonly message: string;
}

/** Creates a {@link HeaderProblem}; `detail` says what is wrong, without the value. */
export function createHeaderProblem(
  header: string,
  reason: HeaderProblemReason,
  detail: string,
): HeaderProblem {
  return { header, reason, message: `${header}: ${detail}` };
}

/**
 * The error code of a header problem: `PK_ERR_INVALID_CONFIG` for an `x-portkey-config` that is
 * valid JSON but not an object (an array, a number, a string in quotes), `PK_ERR_INVALID_HEADER`
 * for everything else (both HTTP 400).
 */
export function errorCodeOfHeaderProblem(
  problem: HeaderProblem,
): 'PK_ERR_INVALID_HEADER' | 'PK_ERR_INVALID_CONFIG' {
  return problem.header === 'x-portkey-config' && problem.reason === 'not-an-object'
    ? 'PK_ERR_INVALID_CONFIG'
    : 'PK_ERR_INVALID_HEADER';
}

/**
 * The error for a header problem: a `PkError` (HTTP 400, code from {@link errorCodeOfHeaderProblem})
 * whose `param` is the header. {@link buildRequestHeaders} throws these; the gateway answers with one.
 */
export function headerProblemToError(problem: HeaderProblem): PkError {
  return new PkError(errorCodeOfHeaderProblem(problem), problem.message, { param: problem.header });
}
