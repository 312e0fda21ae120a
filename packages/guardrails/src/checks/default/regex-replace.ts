import type { LinearRegex } from '@pk/config';
import { z } from 'zod';
import type { CheckDefinition, CheckOutcome } from '../../model/check-definition.js';
import { parseParameters } from '../../model/parameters.js';
import { redactingScanner } from '../../stream/stream-scanner.js';
import { currentContentPart, withRequestTexts, withResponseTexts } from '../../text/content-parts.js';
import { compileSlashRegex } from '../config-regex.js';

const schema = z.object({
  rule: z.string(),
  redactText: z.string().optional(),
  failOnDetection: z.boolean().optional(),
});

interface Parameters {
  readonly rule: LinearRegex;
  /** `g` flag: every match is replaced, else the first of each text. */
  readonly global: boolean;
  readonly written: string;
  readonly redactText: string;
  readonly failOnDetection: boolean;
}

function outcomeData(parameters: Parameters, transformed: boolean, verdict: boolean): CheckOutcome['data'] {
  return {
    regexPattern: parameters.written,
    verdict,
    explanation: transformed
      ? `Pattern '${parameters.written}' matched and was replaced with '${parameters.redactText}'`
      : `The regex pattern '${parameters.written}' did not match any text.`,
  };
}

/**
 * `default.regexReplace` (a transformer): replaces what `rule` (`/pattern/flags` or plain) matches
 * in the current text with `redactText` (default `[REDACTED]`); fails only with `failOnDetection`.
 */
export const regexReplaceCheck: CheckDefinition<Parameters> = {
  id: 'default.regexReplace',
  compile(parameters) {
    const parsed = parseParameters(schema, parameters);
    if (!parsed.ok) return parsed;
    const rule = compileSlashRegex(parsed.parameters.rule, ['rule']);
    if (!rule.ok) return rule;
    return {
      ok: true,
      parameters: {
        rule: rule.parameters.regex,
        global: rule.parameters.global,
        written: parsed.parameters.rule,
        redactText: parsed.parameters.redactText || '[REDACTED]',
        failOnDetection: parsed.parameters.failOnDetection ?? false,
      },
    };
  },
  run({ context, parameters, event }) {
    const part = currentContentPart(context, event);
    if (part.content === null || part.texts.every((text) => text === '')) {
      return {
        verdict: true,
        error: { name: 'Error', message: 'Missing text to match' },
        data: {
          explanation: 'An error occurred while processing the regex: Missing text to match',
          regexPattern: parameters.written,
        },
      };
    }
    let matched = false;
    const replaced = part.texts.map((text) => {
      if (text === '') return null;
      const result = parameters.rule.replace(text, parameters.redactText, parameters.global);
      if (result.count > 0) matched = true;
      return result.text;
    });
    const verdict = !(parameters.failOnDetection && matched);
    const data = outcomeData(parameters, matched, verdict);
    if (!matched) return { verdict, data };
    return event === 'beforeRequestHook'
      ? {
          verdict,
          data,
          transformedRequest: withRequestTexts(context.request.json, context.requestType, replaced),
        }
      : {
          verdict,
          data,
          transformedResponse: withResponseTexts(context.response?.json ?? {}, context.requestType, replaced),
        };
  },
  scanStream(parameters) {
    return redactingScanner({
      find: (region, from) => {
        const match = parameters.rule.find(region, from);
        return match && { start: match.start, end: match.end, replacement: parameters.redactText };
      },
      waitsAtEnd: true,
      ...(parameters.global ? {} : { limit: 1 }),
      failOnMatch: parameters.failOnDetection,
      outcome: (count) => {
        if (count === 0) return undefined;
        const verdict = !parameters.failOnDetection;
        return { verdict, data: outcomeData(parameters, true, verdict) };
      },
    });
  },
};
