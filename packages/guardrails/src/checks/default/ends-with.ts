import { z } from 'zod';
import type { CheckDefinition } from '../../model/check-definition.js';
import { parseParameters } from '../../model/parameters.js';
import { currentText, excerpt } from '../../text/content-parts.js';

const schema = z.object({
  suffix: z.string().min(1, 'expected a non-empty suffix'),
  not: z.boolean().optional(),
});
type Parameters = z.infer<typeof schema>;

/** `default.endsWith`: the text ends with `suffix` (or `suffix` + "."); `not` inverts. */
export const endsWithCheck: CheckDefinition<Parameters> = {
  id: 'default.endsWith',
  compile: (parameters) => parseParameters(schema, parameters),
  run({ context, parameters, event }) {
    const { suffix } = parameters;
    const not = parameters.not ?? false;
    const text = currentText(context, event);
    if (text === '') {
      return {
        verdict: false,
        error: { name: 'Error', message: 'Missing text to analyze' },
        data: {
          explanation: 'An error occurred while checking suffix: Missing text to analyze',
          suffix,
          not,
          textExcerpt: 'No text available',
        },
      };
    }
    const withPeriod = text.endsWith(`${suffix}.`);
    const endsWith = text.endsWith(suffix) || withPeriod;
    const verdict = not ? !endsWith : endsWith;
    return {
      verdict,
      data: {
        suffix,
        not,
        verdict,
        explanation: verdict
          ? not
            ? `The text does not end with "${suffix}" as expected.`
            : `The text ends with "${suffix}"${withPeriod ? ' (including trailing period)' : ''}.`
          : not
            ? `The text ends with "${suffix}" when it should not.`
            : `The text does not end with "${suffix}".`,
        textExcerpt: excerpt(text),
      },
    };
  },
};
