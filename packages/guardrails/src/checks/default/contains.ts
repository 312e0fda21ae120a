import { z } from 'zod';
import type { CheckDefinition } from '../../model/check-definition.js';
import { parseParameters } from '../../model/parameters.js';
import { currentText } from '../../text/content-parts.js';

const schema = z.object({ words: z.array(z.string()), operator: z.enum(['any', 'all', 'none']) });
type Parameters = z.infer<typeof schema>;

const PASSED: Record<Parameters['operator'], string> = {
  any: ' At least one word was found.',
  all: ' All words were found.',
  none: ' No words were found.',
};
const FAILED: Record<Parameters['operator'], string> = {
  any: ' No words were found.',
  all: ' Some words were missing.',
  none: ' Some words were found.',
};

/** `default.contains`: the text contains `any` / `all` / `none` of `words` (case-sensitive substrings). */
export const containsCheck: CheckDefinition<Parameters> = {
  id: 'default.contains',
  compile: (parameters) => parseParameters(schema, parameters),
  run({ context, parameters, event }) {
    const { words, operator } = parameters;
    const text = currentText(context, event);
    const foundWords = words.filter((word) => text.includes(word));
    const missingWords = words.filter((word) => !text.includes(word));
    const verdict =
      operator === 'any'
        ? foundWords.length > 0
        : operator === 'all'
          ? missingWords.length === 0
          : foundWords.length === 0;
    return {
      verdict,
      data: {
        explanation: `Check ${verdict ? 'passed' : 'failed'} for '${operator}' words.${verdict ? PASSED[operator] : FAILED[operator]}`,
        foundWords,
        missingWords,
        operator,
      },
    };
  },
  scanStream({ words, operator }) {
    if (operator !== 'none') return undefined;
    const needles = words;
    return {
      scan: (region) => (needles.some((word) => region.includes(word)) ? { failed: true } : {}),
    };
  },
};
