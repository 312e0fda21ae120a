import { z } from 'zod';
import type { CheckDefinition } from '../../model/check-definition.js';
import { parseParameters } from '../../model/parameters.js';
import { currentText, excerpt } from '../../text/content-parts.js';

/** What a counting check is: its parameter names, defaults and how it counts. */
interface CountSpec {
  readonly id: string;
  readonly minKey: string;
  readonly maxKey: string;
  readonly minDefault: number;
  readonly maxDefault: number;
  /** Portkey's sentence count treats an empty text as 0 sentences; the others error on it. */
  readonly emptyIsZero: boolean;
  /** How Portkey's error explanation names the work ("counting characters", "processing word count"). */
  readonly errorAction: string;
  readonly count: (text: string) => number;
  /** The `data` of a count, as Portkey's check words it (each of the three has its own keys). */
  readonly report: (count: number, parameters: CountParameters, verdict: boolean) => Record<string, unknown>;
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
            explanation: `An error occurred while ${spec.errorAction}: Missing text to analyze`,
            [spec.minKey]: min,
            [spec.maxKey]: max,
            not,
            // Portkey shows the text before trimming (a blank one as it is).
            textExcerpt: excerpt(text) || 'No text available',
          },
        };
      }
      const count = spec.count(trimmed);
      const inRange = count >= min && count <= max;
      const verdict = not ? !inRange : inRange;
      return {
        verdict,
        data: { ...spec.report(count, parameters, verdict), textExcerpt: excerpt(trimmed) },
      };
    },
  };
}

/**
 * Portkey's explanation of a count against its range: `statement` ("The text contains 3 words, which
 * is") then within or outside `range`, and, with `not`, whether that was expected.
 */
function rangeExplanation(
  statement: string,
  range: string,
  { not, verdict }: { readonly not: boolean; readonly verdict: boolean },
): string {
  const inRange = verdict !== not;
  const expectation = not ? (verdict ? ' as expected' : ' when it should not be') : '';
  return `${statement} ${inRange ? 'within' : 'outside'} the specified range of ${range}${expectation}.`;
}

/** The `data` of Portkey's word and character counts: `wordCount`, `minWords`, `maxWords` … */
function rangeReport(
  noun: string,
  minKey: string,
  maxKey: string,
): (count: number, parameters: CountParameters, verdict: boolean) => Record<string, unknown> {
  return (count, { min, max, not }, verdict) => {
    const range = `${min}-${max} ${noun}s`;
    return {
      [`${noun}Count`]: count,
      [minKey]: min,
      [maxKey]: max,
      not,
      verdict,
      explanation: rangeExplanation(`The text contains ${count} ${noun}s, which is`, range, { not, verdict }),
    };
  };
}

/** `default.sentenceCount`: the number of `.`, `!`, `?` within `minSentences`…`maxSentences` (0…99999). */
export const sentenceCountCheck = countCheck({
  id: 'default.sentenceCount',
  minKey: 'minSentences',
  maxKey: 'maxSentences',
  minDefault: 0,
  maxDefault: 99_999,
  emptyIsZero: true,
  errorAction: 'counting sentences',
  count: (text) => text.split(/[.!?]/).length - 1,
  // Portkey's sentence count words its data apart from the other two: `minCount`, `maxCount`, "1 to 2".
  report: (count, { min, max, not }, verdict) => ({
    sentenceCount: count,
    minCount: min,
    maxCount: max,
    not,
    verdict,
    explanation: rangeExplanation(`The sentence count (${count}) is`, `${min} to ${max}`, { not, verdict }),
  }),
});

/** `default.wordCount`: whitespace-separated words within `minWords`…`maxWords` (0…99999). */
export const wordCountCheck = countCheck({
  id: 'default.wordCount',
  minKey: 'minWords',
  maxKey: 'maxWords',
  minDefault: 0,
  maxDefault: 99_999,
  emptyIsZero: false,
  errorAction: 'processing word count',
  count: (text) => text.split(/\s+/).length,
  report: rangeReport('word', 'minWords', 'maxWords'),
});

/** `default.characterCount`: UTF-16 length within `minCharacters`…`maxCharacters` (0…9999999). */
export const characterCountCheck = countCheck({
  id: 'default.characterCount',
  minKey: 'minCharacters',
  maxKey: 'maxCharacters',
  minDefault: 0,
  maxDefault: 9_999_999,
  emptyIsZero: false,
  errorAction: 'counting characters',
  count: (text) => text.length,
  report: rangeReport('character', 'minCharacters', 'maxCharacters'),
});
