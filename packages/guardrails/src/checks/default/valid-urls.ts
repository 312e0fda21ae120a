import { z } from 'zod';
import type { CheckDefinition } from '../../model/check-definition.js';
import { parseParameters } from '../../model/parameters.js';
import type { GuardrailServices } from '../../network/guardrail-transport.js';
import { currentText, excerpt } from '../../text/content-parts.js';

const schema = z.object({ onlyDNS: z.boolean().optional(), not: z.boolean().optional() });
type Parameters = z.infer<typeof schema>;

/** Most URLs of one text that are checked (each is a network call). */
export const MAX_CHECKED_URLS = 20;
/** Milliseconds one URL may take (Portkey's 3 s). */
const URL_TIMEOUT_MS = 3000;

async function urlAnswers(url: string, services: GuardrailServices, signal?: AbortSignal): Promise<boolean> {
  if (services.transport === undefined) return false;
  try {
    const response = await services.transport.request({
      url,
      method: 'HEAD',
      headers: { 'user-agent': 'URLValidator/1.0' },
      timeoutMs: URL_TIMEOUT_MS,
      maxResponseBytes: 0,
      signal,
    });
    return response.status >= 200 && response.status < 300;
  } catch {
    return false;
  }
}

async function hostResolves(url: string, services: GuardrailServices): Promise<boolean> {
  if (services.resolveHost === undefined) return false;
  try {
    return await services.resolveHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * `default.validUrls`: every `http(s)://` URL in the text answers a `HEAD` with 2xx within 3 s (or,
 * with `onlyDNS`, its host resolves); `not` inverts; no URL is a failure. Calls go through the
 * guardrails' network port, so internal addresses count as invalid; at most 20 URLs are checked.
 */
export const validUrlsCheck: CheckDefinition<Parameters> = {
  id: 'default.validUrls',
  compile: (parameters) => parseParameters(schema, parameters),
  async run({ context, parameters, event, services, signal }) {
    const not = parameters.not ?? false;
    const onlyDNS = parameters.onlyDNS ?? false;
    const validationMethod = onlyDNS ? 'DNS lookup' : 'HTTP request';
    const text = currentText(context, event);
    if (text === '') {
      return {
        verdict: false,
        error: { name: 'Error', message: 'Missing text to analyze' },
        data: {
          explanation: 'An error occurred while validating URLs: Missing text to analyze',
          validationMethod,
          not,
          textExcerpt: 'No text available',
        },
      };
    }
    const urls = [...new Set(text.match(/https?:\/\/[^\s,"'{}[\]]+/g) ?? [])].slice(0, MAX_CHECKED_URLS);
    if (urls.length === 0) {
      return {
        verdict: false,
        data: {
          explanation: 'No URLs found in the text.',
          urls: [],
          validationMethod,
          not,
          textExcerpt: excerpt(text),
        },
      };
    }
    const results = await Promise.all(
      urls.map(async (url) => ({
        url,
        isValid: onlyDNS ? await hostResolves(url, services) : await urlAnswers(url, services, signal),
      })),
    );
    const validUrls = results.filter((result) => result.isValid).map((result) => result.url);
    const invalidUrls = results.filter((result) => !result.isValid).map((result) => result.url);
    const allValid = invalidUrls.length === 0;
    const verdict = not ? !allValid : allValid;
    return {
      verdict,
      data: {
        verdict,
        not,
        explanation: verdict
          ? not
            ? `All URLs are invalid as expected (${invalidUrls.length} of ${urls.length}).`
            : `All URLs are valid (${validUrls.length} found).`
          : not
            ? `Some URLs are valid when they should all be invalid (${validUrls.length} of ${urls.length}).`
            : `Some URLs are invalid (${invalidUrls.length} of ${urls.length} failed).`,
        validUrls,
        invalidUrls,
        validationMethod,
        textExcerpt: excerpt(text),
      },
    };
  },
};
