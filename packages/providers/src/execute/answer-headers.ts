/**
 * The provider's headers a client reads, passed on every route and dialect, errors included:
 * `x-ratelimit-*` (OpenAI's and the OpenAI-compatible providers' remaining quota) and
 * `anthropic-ratelimit-*` (Anthropic's, which its SDK's users and Claude Code read), and the request
 * ids the official SDKs expose (`x-request-id` as the `openai` SDK's `_request_id` and an error's
 * `requestID`; Anthropic's `request-id`) with `openai-processing-ms`. Others, such as the account's
 * `openai-organization`, stay with the gateway.
 */
const PASSED_ANSWER_HEADERS: ReadonlySet<string> = new Set([
  'x-request-id',
  'request-id',
  'openai-processing-ms',
]);

/**
 * On a pass-through answer also `content-disposition` and `content-length`: a file download keeps
 * its file name, and its size for a client's progress (the bytes go back as they came; the
 * transport drops the length when it decompresses the answer).
 */
const PASSED_RAW_ANSWER_HEADERS: ReadonlySet<string> = new Set([
  ...PASSED_ANSWER_HEADERS,
  'content-disposition',
  'content-length',
]);

/** The answer's headers plus the provider's headers a client reads (see {@link PASSED_ANSWER_HEADERS}). */
export function withPassedAnswerHeaders(
  headers: Record<string, string>,
  upstream: Readonly<Record<string, string>>,
  passed: ReadonlySet<string> = PASSED_ANSWER_HEADERS,
): Record<string, string> {
  for (const name in upstream) {
    if (name.startsWith('x-ratelimit-') || name.startsWith('anthropic-ratelimit-') || passed.has(name))
      headers[name] = upstream[name] as string;
  }
  return headers;
}

/** {@link withPassedAnswerHeaders} for a pass-through answer, whose bytes go back as they came. */
export function withPassedRawAnswerHeaders(
  headers: Record<string, string>,
  upstream: Readonly<Record<string, string>>,
): Record<string, string> {
  return withPassedAnswerHeaders(headers, upstream, PASSED_RAW_ANSWER_HEADERS);
}
