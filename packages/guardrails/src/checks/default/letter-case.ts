import { z } from 'zod';
import type { CheckDefinition } from '../../model/check-definition.js';
import { parseParameters } from '../../model/parameters.js';
import { currentText, excerpt } from '../../text/content-parts.js';

const schema = z.object({ not: z.boolean().optional() });
type Parameters = z.infer<typeof schema>;

function caseCheck(id: string, upper: boolean): CheckDefinition<Parameters> {
  const word = upper ? 'uppercase' : 'lowercase';
  const other = upper ? 'lowercase' : 'uppercase';
  return {
    id,
    compile: (parameters) => parseParameters(schema, parameters),
    run({ context, parameters, event }) {
      const not = parameters.not ?? false;
      const text = currentText(context, event);
      if (text === '') {
        return {
          verdict: false,
          error: { name: 'Error', message: 'Missing text to analyze' },
          data: {
            explanation: `An error occurred while checking ${word}: Missing text to analyze`,
            not,
            textExcerpt: 'No text available',
          },
        };
      }
      // Portkey looks at ASCII letters only.
      const letters = text.replace(/[^a-zA-Z]/g, '');
      const isCase = letters === (upper ? letters.toUpperCase() : letters.toLowerCase());
      const verdict = not ? !isCase : isCase;
      return {
        verdict,
        data: {
          verdict,
          not,
          explanation: verdict
            ? not
              ? `The text contains ${other} characters as expected.`
              : `All alphabetic characters in the text are ${word}.`
            : not
              ? `All alphabetic characters in the text are ${word} when they should not be.`
              : `The text contains ${other} characters.`,
          textExcerpt: excerpt(text),
        },
      };
    },
  };
}

/** `default.alluppercase`: every ASCII letter of the text is upper case; `not` inverts. */
export const allUppercaseCheck = caseCheck('default.alluppercase', true);
/** `default.alllowercase`: every ASCII letter of the text is lower case; `not` inverts. */
export const allLowercaseCheck = caseCheck('default.alllowercase', false);
