import type { LinearRegex } from '@pk/config';
import { z } from 'zod';
import type { CheckDefinition } from '../../model/check-definition.js';
import { parseParameters } from '../../model/parameters.js';
import { dependsOnWhatFollows, forbiddenMatchScanner } from '../../stream/stream-scanner.js';
import { currentText, excerpt } from '../../text/content-parts.js';
import { compileConfigRegex } from '../config-regex.js';

const schema = z.object({ rule: z.string(), not: z.boolean().optional() });

interface Parameters {
  readonly rule: LinearRegex;
  readonly not: boolean;
}

/**
 * `default.regexMatch`: passes when the pattern matches the text (or, with `not`, when it does not).
 * Portkey compiles `rule` with `new RegExp`; pk runs it on RE2 (inline flags such as `(?i)` work).
 */
export const regexMatchCheck: CheckDefinition<Parameters> = {
  id: 'default.regexMatch',
  compile(parameters) {
    const parsed = parseParameters(schema, parameters);
    if (!parsed.ok) return parsed;
    const rule = compileConfigRegex(parsed.parameters.rule, ['rule']);
    if (!rule.ok) return rule;
    return { ok: true, parameters: { rule: rule.parameters, not: parsed.parameters.not ?? false } };
  },
  run({ context, parameters, event }) {
    const { rule, not } = parameters;
    const regexPattern = rule.source;
    const text = currentText(context, event);
    if (text === '') {
      return {
        verdict: false,
        error: { name: 'Error', message: 'Missing text to match' },
        data: {
          explanation: 'An error occurred while processing the regex: Missing text to match',
          regexPattern,
          not,
          textExcerpt: 'No text available',
        },
      };
    }
    const match = rule.find(text);
    const matches = match !== undefined;
    const verdict = not ? !matches : matches;
    return {
      verdict,
      data: {
        regexPattern,
        not,
        verdict,
        explanation: verdict
          ? not
            ? `The regex pattern '${regexPattern}' did not match the text as expected.`
            : `The regex pattern '${regexPattern}' successfully matched the text.`
          : not
            ? `The regex pattern '${regexPattern}' matched the text when it should not have.`
            : `The regex pattern '${regexPattern}' did not match the text.`,
        matchDetails: match
          ? { matchedText: match.text, index: match.start, groups: match.groups, captures: match.captures }
          : null,
        textExcerpt: excerpt(text),
      },
    };
  },
  scanStream({ rule, not }) {
    if (!not) return undefined;
    return forbiddenMatchScanner((text, from) => rule.find(text, from), dependsOnWhatFollows(rule.source));
  },
};
