import {
  addCredential,
  longestFirst,
  PkError,
  PROVIDER_CREDENTIAL_KEYS,
  redactCredentials,
  redactCredentialsInJson,
} from '@pk/config';
import { isJsonObject } from '../shared/json.js';
import type { ProviderTarget, StreamOutput } from '../spec/provider-adapter.js';
import { UpstreamError } from '../spec/upstream-error.js';
import type { CallFailure } from './upstream-exchange.js';

/** Re-exported: the redaction is `@pk/config`'s, shared with guardrails' webhooks. */
export { REDACTED, redactCredentials } from '@pk/config';

/** Request headers that carry a credential (their value, `Bearer ` or `Basic ` removed). */
const CREDENTIAL_HEADERS = [
  'authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'x-amz-security-token',
];

/**
 * Every credential value an attempt used: the target's credential fields ({@link PROVIDER_CREDENTIAL_KEYS},
 * a Vertex service account's `private_key`), the credential headers of the request as sent, after
 * the adapter's `authorize` step (an exchanged Google access token, an Azure Entra token), and the
 * values of the client's headers forwarded with `forward_headers`: what a client forwards is mostly
 * the custom host's own credential (`x-api-token`, `cf-access-client-secret` …), under any name.
 * Longest first, so a value containing another is redacted whole.
 */
export function attemptCredentials(
  target: ProviderTarget,
  sentHeaders: Readonly<Record<string, string>> | undefined,
  forwardedHeaders?: Readonly<Record<string, string>> | undefined,
): readonly string[] {
  const found = new Set<string>();
  const add = (value: unknown): void => addCredential(found, value);
  const fields = target as Readonly<Record<string, unknown>>;
  for (const key of PROVIDER_CREDENTIAL_KEYS) {
    const value = fields[key];
    if (isJsonObject(value)) add(value.private_key);
    else if (typeof value === 'string' && value.trimStart().startsWith('{')) {
      // The service-account key file as JSON text (the header form).
      add(value);
      add(privateKeyOfText(value));
    } else add(value);
  }
  if (sentHeaders !== undefined) for (const name of CREDENTIAL_HEADERS) add(sentHeaders[name]);
  if (forwardedHeaders !== undefined) for (const value of Object.values(forwardedHeaders)) add(value);
  return longestFirst(found);
}

function privateKeyOfText(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    return isJsonObject(parsed) ? parsed.private_key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The failure with every credential of the attempt removed from what the client, the log record and
 * the server log get of it: an {@link UpstreamError}'s vendor message, type, code and raw body, a
 * `PkError`'s message. The same object when nothing needed redacting. Only ever run on a failure.
 */
export function scrubFailure(outcome: CallFailure, credentials: readonly string[]): CallFailure {
  if (credentials.length === 0) return outcome;
  const { error } = outcome;
  if (UpstreamError.isInstance(error)) {
    const scrubbed = scrubUpstreamError(error, credentials);
    return scrubbed === error ? outcome : { ...outcome, error: scrubbed };
  }
  const message = redactCredentials(error.message, credentials);
  if (message === error.message || Object.getPrototypeOf(error) !== PkError.prototype) return outcome;
  return {
    ...outcome,
    error: new PkError(error.code, message, {
      param: error.param,
      ...(error.cause === undefined ? {} : { cause: error.cause }),
    }),
  };
}

function scrubUpstreamError(error: UpstreamError, credentials: readonly string[]): UpstreamError {
  const message = redactCredentials(error.vendorMessage, credentials);
  const type = error.type === null ? null : redactCredentials(error.type, credentials);
  const code = typeof error.code === 'string' ? redactCredentials(error.code, credentials) : error.code;
  const raw = redactCredentialsInJson(error.raw, credentials);
  const details = redactCredentialsInJson(error.details, credentials) as Readonly<Record<string, unknown>>;
  if (
    message === error.vendorMessage &&
    type === error.type &&
    code === error.code &&
    JSON.stringify(raw) === JSON.stringify(error.raw) &&
    JSON.stringify(details) === JSON.stringify(error.details)
  ) {
    return error;
  }
  const scrubbed = new UpstreamError({
    provider: error.provider,
    status: error.status,
    message,
    type,
    code,
    param: error.param,
    retryable: error.retryable,
    connectionError: error.connectionError,
    raw,
    details,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    ...(error.cause === undefined ? {} : { cause: error.cause }),
  });
  scrubbed.answerHeaders = error.answerHeaders;
  return scrubbed;
}

/**
 * A stream's error item with every credential redacted from its envelope and its dialect frame
 * (`data`); the same item when none appears. Only ever run on an error item.
 */
export function scrubStreamError(
  output: Extract<StreamOutput, { type: 'error' }>,
  credentials: readonly string[],
): Extract<StreamOutput, { type: 'error' }> {
  if (credentials.length === 0) return output;
  const envelope = redactCredentialsInJson(output.envelope, credentials) as typeof output.envelope;
  const data = output.data === undefined ? undefined : redactCredentials(output.data, credentials);
  if (data === output.data && JSON.stringify(envelope) === JSON.stringify(output.envelope)) return output;
  return data === undefined ? { type: 'error', envelope } : { type: 'error', envelope, data };
}
