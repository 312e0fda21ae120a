import { z } from 'zod';
import type { CheckDefinition } from '../../model/check-definition.js';
import { parseParameters } from '../../model/parameters.js';
import { currentContentPart } from '../../text/content-parts.js';

const schema = z.object({ not: z.boolean().optional() });
type Parameters = z.infer<typeof schema>;

/** `default.notNull`: the content is present and not blank (`not`: is null or blank). */
export const notNullCheck: CheckDefinition<Parameters> = {
  id: 'default.notNull',
  compile: (parameters) => parseParameters(schema, parameters),
  run({ context, parameters, event }) {
    const not = parameters.not ?? false;
    const { content, texts } = currentContentPart(context, event);
    const isNull =
      content === null ||
      (typeof content === 'string' && content.trim() === '') ||
      (Array.isArray(content) && content.length === 0) ||
      texts.every((text) => text.trim() === '');
    const verdict = not ? isNull : !isNull;
    return {
      verdict,
      data: {
        isNull,
        contentType: content === null ? 'null' : typeof content,
        textArrayLength: texts.length,
        explanation: isNull ? 'Content is null, undefined, or empty.' : 'Content exists and is not null.',
        verdict: verdict ? 'passed' : 'failed',
      },
    };
  },
};
