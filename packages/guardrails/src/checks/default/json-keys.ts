import { z } from 'zod';
import type { CheckDefinition } from '../../model/check-definition.js';
import { parseParameters } from '../../model/parameters.js';
import { currentText, excerpt } from '../../text/content-parts.js';
import { jsonCandidates, tryParseJson } from '../json-in-text.js';

const schema = z.object({
  keys: z.array(z.string()).min(1, 'expected at least one key'),
  operator: z.enum(['any', 'all', 'none']),
});
type Parameters = z.infer<typeof schema>;

function explanation(operator: string, present: string[], missing: string[], verdict: boolean): string {
  const found = present.length > 0 ? `Found keys: [${present.join(', ')}]` : 'No matching keys found';
  const absent = missing.length > 0 ? `Missing keys: [${missing.join(', ')}]` : 'No missing keys';
  if (operator === 'any')
    return verdict
      ? `Successfully found at least one required key. ${found}.`
      : `Failed to find any required keys. ${absent}.`;
  if (operator === 'all')
    return verdict
      ? `Successfully found all required keys. ${found}.`
      : `Failed to find all required keys. ${absent}.`;
  return verdict
    ? `Successfully verified no required keys are present. ${absent}.`
    : `Found some keys that should not be present. ${found}.`;
}

/**
 * `default.jsonKeys`: finds JSON objects in the text and passes when one has `any` / `all` / `none`
 * of `keys` at its top level.
 */
export const jsonKeysCheck: CheckDefinition<Parameters> = {
  id: 'default.jsonKeys',
  compile: (parameters) => parseParameters(schema, parameters),
  run({ context, parameters, event }) {
    const { keys, operator } = parameters;
    const text = currentText(context, event);
    if (text === '') {
      return {
        verdict: false,
        error: { name: 'Error', message: 'Missing text to analyze' },
        data: {
          explanation: 'An error occurred while processing JSON: Missing text to analyze',
          operator,
          requiredKeys: keys,
          textExcerpt: 'No text available',
        },
      };
    }
    const candidates = jsonCandidates(text, 'both');
    if (candidates.length === 0) {
      return {
        verdict: false,
        data: {
          explanation: 'No valid JSON found in the text.',
          requiredKeys: keys,
          operator,
          textExcerpt: excerpt(text),
        },
      };
    }
    let best = { json: null as unknown, present: [] as string[], missing: [...keys], verdict: false };
    for (const candidate of candidates) {
      const json = tryParseJson(candidate);
      if (json === null || typeof json !== 'object') continue;
      const present = keys.filter((key) => Object.hasOwn(json, key));
      const missing = keys.filter((key) => !Object.hasOwn(json, key));
      const verdict =
        operator === 'any'
          ? present.length > 0
          : operator === 'all'
            ? missing.length === 0
            : present.length === 0;
      if (verdict || present.length > best.present.length) best = { json, present, missing, verdict };
      if (verdict) break;
    }
    return {
      verdict: best.verdict,
      data: {
        matchedJson: best.json,
        verdict: best.verdict,
        explanation: explanation(operator, best.present, best.missing, best.verdict),
        presentKeys: best.present,
        missingKeys: best.missing,
        operator,
        textExcerpt: excerpt(text),
      },
    };
  },
};
