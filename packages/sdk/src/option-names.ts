/**
 * Constructor options that belong to the openai client (passed through, never sent as headers).
 * `apiKey`, `baseURL` and `provider` are pk's: they never reach openai's options of the same name
 * (openai 6.49's `provider` is a third-party provider object).
 */
export const OPENAI_CLIENT_OPTION_NAMES: ReadonlySet<string> = new Set([
  'timeout',
  'maxRetries',
  'fetch',
  'fetchOptions',
  'defaultHeaders',
  'defaultQuery',
  'logLevel',
  'logger',
  'webhookSecret',
  'organization',
  'project',
  'adminAPIKey',
  'workloadIdentity',
]);

/** Constructor options the client consumes itself and never sends (as the official SDK). */
export const CLIENT_ONLY_OPTION_NAMES: ReadonlySet<string> = new Set(['baseURL', 'calculateAudioDuration']);

/**
 * The keys of openai's per-request options (`RequestOptions` / `FinalRequestOptions`, openai 6.x).
 * Any other key in a call's options is a Portkey option for that call.
 */
export const OPENAI_REQUEST_OPTION_NAMES: ReadonlySet<string> = new Set([
  'method',
  'path',
  'query',
  'body',
  'headers',
  'maxRetries',
  'stream',
  'timeout',
  'fetchOptions',
  'signal',
  'idempotencyKey',
  'defaultBaseURL',
]);

/** True for openai's internal request keys (`__metadata`, `__security`, `__binaryResponse` …). */
export function isInternalRequestKey(key: string): boolean {
  return key.startsWith('__');
}
