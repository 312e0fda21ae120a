import { addCredential, longestFirst, redactCredentials, redactCredentialsInJson } from '@pk/config';
import { z } from 'zod';
import type { CheckDefinition, ParameterIssue } from '../../model/check-definition.js';
import { isRecord } from '../../model/is-record.js';
import { parseParameters } from '../../model/parameters.js';
import {
  DEFAULT_CALL_TIMEOUT_MS,
  headersParameter,
  MAX_WEBHOOK_ANSWER_BYTES,
  resolveSecretParameter,
  shownUrl,
  timeoutParameter,
  urlParameter,
} from '../../network/call-parameters.js';
import type { SecretValue } from '../../network/secret-value.js';
import { signatureHeaders } from '../../network/signature.js';
import { webhookPayload } from '../../network/webhook-payload.js';

const schema = z.object({
  webhookURL: urlParameter,
  headers: headersParameter,
  timeout: timeoutParameter,
  secret: z.unknown().optional(),
});

interface Parameters {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly secret: SecretValue | undefined;
  /** What the call sends that its answer must not show (see {@link callCredentials}), longest first. */
  readonly credentials: readonly string[];
}

/**
 * The operator's secrets a call sends: each header's value (`Bearer ` removed too), and the URL's
 * password and query-string values (a `?token=`), which results already leave out of the URL they
 * show. A webhook that quotes what it got (an error page echoing the request) must not hand them to
 * the client's `hook_results` and the request log.
 */
export function callCredentials(url: string, headers: Readonly<Record<string, string>>): readonly string[] {
  const found = new Set<string>();
  for (const value of Object.values(headers)) addCredential(found, value);
  try {
    const parsed = new URL(url);
    addCredential(found, parsed.password);
    addCredential(found, decodeURIComponent(parsed.password));
    for (const value of parsed.searchParams.values()) addCredential(found, value);
  } catch {
    // Not a URL: refused when the guardrail was compiled.
  }
  return longestFirst(found);
}

/** The JSON body a call sends, signed when there is a secret. */
export async function signedRequestHeaders(
  parameters: {
    readonly headers: Readonly<Record<string, string>>;
    readonly secret: SecretValue | undefined;
  },
  body: string,
  nowMs: number,
): Promise<Record<string, string>> {
  const headers = { ...parameters.headers, 'content-type': 'application/json' };
  return parameters.secret === undefined
    ? headers
    : { ...headers, ...(await signatureHeaders(parameters.secret.reveal(), body, nowMs)) };
}

/** Compiles the parameters shared by `webhook` and `log` (URL key differs). */
export function compileCallParameters(
  raw: Readonly<Record<string, unknown>>,
  parsed: { url: string; headers: Record<string, string>; timeout?: number | undefined; secret?: unknown },
  resolveSecret: ((reference: string) => string | undefined) | undefined,
): { ok: true; parameters: Parameters } | { ok: false; issues: ParameterIssue[] } {
  const issues: ParameterIssue[] = [];
  const secret = resolveSecretParameter(raw.secret, { resolveSecret }, issues);
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    parameters: {
      url: parsed.url,
      headers: parsed.headers,
      timeoutMs: parsed.timeout ?? DEFAULT_CALL_TIMEOUT_MS,
      secret,
      credentials: callCredentials(parsed.url, parsed.headers),
    },
  };
}

/**
 * `default.webhook`: POSTs the hook context (no client headers) to `webhookURL` and uses its answer
 * `{ verdict: boolean, transformedData?: { request?: { json }, response?: { json } } }`; the answer
 * may rewrite the request (before) or the response (after). An answer that is not 2xx, not JSON,
 * has no boolean `verdict`, is over 1 MiB or takes longer than `timeout` ms (default 3000) is an
 * error (fail open unless `fail_on_error`). With `secret` the call is signed (`x-pk-signature`).
 * Only guardrails defined in the gateway's settings may call a webhook.
 */
export const webhookCheck: CheckDefinition<Parameters> = {
  id: 'default.webhook',
  operatorOnly: true,
  compile(parameters, _origin, options) {
    const parsed = parseParameters(schema, parameters);
    if (!parsed.ok) return parsed;
    return compileCallParameters(
      parameters,
      { ...parsed.parameters, url: parsed.parameters.webhookURL },
      options.resolveSecret,
    );
  },
  async run({ context, parameters, event, services, signal }) {
    const webhookUrl = shownUrl(parameters.url);
    const requestContext = { timeout: parameters.timeoutMs };
    const { credentials } = parameters;
    const failed = (given: string, name = 'Error', answered?: unknown) => {
      const message = credentials.length === 0 ? given : redactCredentials(given, credentials);
      const responseData =
        answered === undefined || credentials.length === 0
          ? answered
          : redactCredentialsInJson(answered, credentials);
      return {
        verdict: false,
        error: { name, message },
        data: {
          explanation: `Webhook error: ${message}`,
          webhookUrl,
          requestContext,
          ...(responseData === undefined ? {} : { responseData }),
        },
      };
    };
    if (services.transport === undefined) return failed('no network port for guardrails');
    const body = JSON.stringify(webhookPayload(context, event));
    let answer: Awaited<ReturnType<NonNullable<typeof services.transport>['request']>>;
    try {
      answer = await services.transport.request({
        url: parameters.url,
        method: 'POST',
        headers: await signedRequestHeaders(parameters, body, services.now()),
        body,
        timeoutMs: parameters.timeoutMs,
        maxResponseBytes: MAX_WEBHOOK_ANSWER_BYTES,
        signal,
      });
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const message =
        name === 'TimeoutError'
          ? `Request timed out after ${parameters.timeoutMs}ms`
          : error instanceof Error
            ? error.message
            : 'the webhook call failed';
      return failed(message, name);
    }
    let json: unknown;
    try {
      json = JSON.parse(answer.body);
    } catch {
      json = undefined;
    }
    if (answer.status < 200 || answer.status > 299)
      return failed(`HTTP error! status: ${answer.status}`, 'HttpError', isRecord(json) ? json : undefined);
    if (!isRecord(json) || typeof json.verdict !== 'boolean')
      return failed('the webhook answered without a JSON object with a boolean "verdict"');
    const verdict = json.verdict;
    const transformedData = isRecord(json.transformedData) ? json.transformedData : {};
    const side = event === 'beforeRequestHook' ? transformedData.request : transformedData.response;
    const transformedJson = isRecord(side) && isRecord(side.json) ? side.json : undefined;
    return {
      verdict,
      data: {
        verdict,
        explanation: verdict ? 'Webhook request succeeded' : 'Webhook request failed',
        webhookUrl,
        // Portkey copies the webhook's `data` as it came: absent when the webhook sent none.
        ...(json.data === undefined
          ? {}
          : {
              responseData:
                credentials.length === 0 ? json.data : redactCredentialsInJson(json.data, credentials),
            }),
        requestContext,
      },
      ...(transformedJson === undefined
        ? {}
        : event === 'beforeRequestHook'
          ? { transformedRequest: transformedJson }
          : { transformedResponse: transformedJson }),
    };
  },
};
