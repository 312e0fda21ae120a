import type { ValidateFunction } from 'ajv/dist/2020.js';
import { z } from 'zod';
import type { CheckDefinition } from '../../model/check-definition.js';
import { parseParameters, refuse } from '../../model/parameters.js';
import { currentText } from '../../text/content-parts.js';
import { jsonCandidates, tryParseJson } from '../json-in-text.js';
import { compileJsonSchema, describeSchemaError } from '../json-schema-compiler.js';

const schema = z.object({
  schema: z.record(z.string(), z.unknown(), { error: 'expected a JSON Schema object' }),
  not: z.boolean().optional(),
});

interface Parameters {
  readonly validate: ValidateFunction;
  readonly not: boolean;
}

/**
 * `default.jsonSchema`: finds JSON in the text (fenced blocks first, else `{…}` spans) and passes
 * when one candidate validates against `schema` (draft 2020-12); `not` inverts. No JSON is a failure.
 */
export const jsonSchemaCheck: CheckDefinition<Parameters> = {
  id: 'default.jsonSchema',
  compile(parameters) {
    const parsed = parseParameters(schema, parameters);
    if (!parsed.ok) return parsed;
    const compiled = compileJsonSchema(parsed.parameters.schema);
    if (!compiled.ok) return refuse(['schema'], `expected a valid JSON Schema (${compiled.reason})`);
    return { ok: true, parameters: { validate: compiled.validate, not: parsed.parameters.not ?? false } };
  },
  run({ context, parameters, event }) {
    const { validate, not } = parameters;
    const text = currentText(context, event);
    const candidates = jsonCandidates(text, 'prefer-code-blocks');
    let best: { json: unknown; valid: boolean; errors: ReturnType<typeof describeSchemaError>[] } | undefined;
    for (const candidate of candidates) {
      const json = tryParseJson(candidate);
      if (json === undefined) continue;
      const valid = validate(json);
      if (valid || best === undefined)
        best = { json, valid, errors: (validate.errors ?? []).map(describeSchemaError) };
      if (valid) break;
    }
    if (best === undefined)
      return { verdict: false, data: { explanation: 'No valid JSON found in the response.', not } };
    const verdict = not ? !best.valid : best.valid;
    return {
      verdict,
      data: {
        matchedJson: best.json,
        not,
        explanation: verdict
          ? not
            ? 'Successfully validated JSON does not match the schema as expected.'
            : 'Successfully validated JSON against the provided schema.'
          : not
            ? 'JSON matches the schema when it should not.'
            : 'Failed to validate JSON against the provided schema.',
        validationErrors: best.errors,
      },
    };
  },
};
