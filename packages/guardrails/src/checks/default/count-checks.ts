import { z } from 'zod';
import type { CheckDefinition } from '../../model/check-definition.js';
import { parseParameters } from '../../model/parameters.js';
import { currentText, excerpt } from '../../text/content-parts.js';

/** What a counting check is: its parameter names, defaults and how it counts. */
interface CountSpec {
  readonly id: string;
  readonly noun: string;
  readonly minKey: string;
  readonly maxKey: string;
  readonly minDefault: number;
  readonly maxDefault: number;
  /** Portkey's sentence count treats an empty text as 0 sentences; the others error on it. */
  readonly emptyIsZero: boolean;
  readonly count: (text: string) => number;
}

interface CountParameters {
  readonly min: number;
  readonly max: number;
  readonly not: boolean;
}

function countCheck(spec: CountSpec): CheckDefinition<CountParameters> {
  const schema = z.object({
    [spec.minKey]: z.number().optional(),
    [spec.maxKey]: z.number().optional(),
    not: z.boolean().optional(),
  });
  return {
    id: spec.id,
    compile(parameters) {
      const parsed = parseParameters(schema, parameters);
      if (!parsed.ok) return parsed;
      const values = parsed.parameters as Record<string, number | boolean | undefined>;
      return {
        ok: true,
        parameters: {
          min: (values[spec.minKey] as number | undefined) ?? spec.minDefault,
          max: (values[spec.maxKey] as number | undefined) ?? spec.maxDefault,
          not: (values.not as boolean | undefined) ?? false,
        },
      };
    },
    run({ context, parameters, event }) {
      const { min, max, not } = parameters;
      const text = currentText(context, event);
      const trimmed = spec.id === 'default.wordCount' ? text.trim() : text;
      if (trimmed === '' && !spec.emptyIsZero) {
        return {
          verdict: false,
          error: { name: 'Error', message: 'Missing text to analyze' },
          data: {
            explanation: `An error occurred while counting ${spec.noun}s: Missing text to analyze`,
            [spec.minKey]: min,
            [spec.maxKey]: max,
            not,
            textExcerpt: 'No text available',
          },
        };
      }
      const count = spec.count(trimmed);
      const inRange = count >= min && count <= max;
      const verdict = not ? !inRange : inRange;
      const range = `${min}-${max} ${spec.noun}s`;
      return {
        verdict,
        data: {
          [`${spec.noun}Count`]: count,
          [spec.minKey]: min,
          [spec.maxKey]: max,
          not,
          verdict,
          explanation: verdict
            ? not
              ? `The text contains ${count} ${spec.noun}s, which is outside the specified range of ${range} as expected.`
              : `The text contains ${count} ${spec.noun}s, which is within the specified range of ${range}.`
            : not
              ? `The text contains ${count} ${spec.noun}s, which is within the specified range of ${range} when it should not be.`
              : `The text contains ${count} ${spec.noun}s, which is outside the specified range of ${range}.`,
          textExcerpt: excerpt(trimmed),
        },
      };
    },
  };
}

/** `default.sentenceCount`: the number of `.`, `!`, `?` within `minSentences`…`maxSentences` (0…99999). */
export const sentenceCountCheck = countCheck({
  id: 'default.sentenceCount',
  noun: 'sentence',
  minKey: 'minSentences',
  maxKey: 'maxSentences',
  minDefault: 0,
  maxDefault: 99_999,
  emptyIsZero: true,
  count: (text) => text.split(/[.!?]/).length - 1,
});

/** `default.wordCount`: whitespace-separated words within `minWords`…`maxWords` (0…99999). */
export const wordCountCheck = countCheck({
  id: 'default.wordCount',
  noun: 'word',
  minKey: 'minWords',
  maxKey: 'maxWords',
  minDefault: 0,
  maxDefault: 99_999,
  emptyIsZero: false,
  count: (text) => text.split(/\s+/).length,
});

/** `default.characterCount`: UTF-16 length within `minCharacters`…`maxCharacters` (0…9999999). */
export const characterCountCheck = countCheck({
  id: 'default.characterCount',
  noun: 'character',
  minKey: 'minCharacters',
  maxKey: 'maxCharacters',
  minDefault: 0,
  maxDefault: 9_999_999,
  emptyIsZero: false,
  count: (text) => text.length,
});
