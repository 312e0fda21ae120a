import { z } from 'zod';
import type { CheckDefinition } from '../../model/check-definition.js';
import { parseParameters } from '../../model/parameters.js';
import { headersParameter, shownUrl, timeoutParameter, urlParameter } from '../../network/call-parameters.js';
import type { SecretValue } from '../../network/secret-value.js';
import { webhookPayload } from '../../network/webhook-payload.js';
import { compileCallParameters, signedRequestHeaders } from './webhook.js';

const schema = z.object({
  logURL: urlParameter,
  headers: headersParameter,
  timeout: timeoutParameter,
  secret: z.unknown().optional(),
});

interface Parameters {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly secret: SecretValue | undefined;
}

/** Largest answer read from a log collector (it is ignored anyway). */
const MAX_LOG_ANSWER_BYTES = 64 * 1024;

/**
 * `default.log`: POSTs the hook context to `logURL` (signed with `secret` like a webhook); passes
 * once the collector answered 2xx, errors otherwise (fail open unless `fail_on_error`). Only
 * guardrails defined in the gateway's settings may use it; make the hook `async` so logging never
 * delays an answer.
 */
export const logCheck: CheckDefinition<Parameters> = {
  id: 'default.log',
  operatorOnly: true,
  compile(parameters, _origin, options) {
    const parsed = parseParameters(schema, parameters);
    if (!parsed.ok) return parsed;
    return compileCallParameters(
      parameters,
      { ...parsed.parameters, url: parsed.parameters.logURL },
      options.resolveSecret,
    );
  },
  async run({ context, parameters, event, services, signal }) {
    const url = shownUrl(parameters.url);
    const failed = (name: string, message: string) => ({
      verdict: false,
      error: { name, message },
      data: { explanation: `Log error: ${message}`, logUrl: url },
    });
    if (services.transport === undefined) return failed('Error', 'no network port for guardrails');
    const body = JSON.stringify(webhookPayload(context, event));
    try {
      const answer = await services.transport.request({
        url: parameters.url,
        method: 'POST',
        headers: await signedRequestHeaders(parameters, body, services.now()),
        body,
        timeoutMs: parameters.timeoutMs,
        maxResponseBytes: MAX_LOG_ANSWER_BYTES,
        signal,
      });
      if (answer.status < 200 || answer.status > 299)
        return failed('HttpError', `HTTP error! status: ${answer.status}`);
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      return failed(
        name,
        name === 'TimeoutError'
          ? `Request timed out after ${parameters.timeoutMs}ms`
          : String((error as Error).message),
      );
    }
    return { verdict: true, data: { message: `Logged the request to ${url}` } };
  },
};
