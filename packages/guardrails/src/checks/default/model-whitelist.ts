import { z } from 'zod';
import type { CheckDefinition } from '../../model/check-definition.js';
import { parseParameters } from '../../model/parameters.js';

const schema = z.object({ models: z.array(z.string()), not: z.boolean().optional() });
type Parameters = z.infer<typeof schema>;

/** `default.modelWhitelist`: the request's `model` is in `models` (`not`: is not). */
export const modelWhitelistCheck: CheckDefinition<Parameters> = {
  id: 'default.modelWhitelist',
  compile: (parameters) => parseParameters(schema, parameters),
  run({ context, parameters }) {
    const { models } = parameters;
    const not = parameters.not ?? false;
    const model = context.request.json.model;
    if (typeof model !== 'string' || model === '') {
      return {
        verdict: false,
        error: { name: 'Error', message: 'Missing model in request' },
        data: {
          explanation: 'An error occurred while checking model whitelist: Missing model in request',
          requestedModel: 'No model specified',
          not,
          allowedModels: models,
        },
      };
    }
    const inList = models.includes(model);
    const verdict = not ? !inList : inList;
    return {
      verdict,
      data: {
        verdict,
        not,
        explanation: verdict
          ? not
            ? `Model "${model}" is not in the allowed list as expected.`
            : `Model "${model}" is allowed.`
          : not
            ? `Model "${model}" is in the allowed list when it should not be.`
            : `Model "${model}" is not in the allowed list.`,
        requestedModel: model,
        allowedModels: models,
      },
    };
  },
};
