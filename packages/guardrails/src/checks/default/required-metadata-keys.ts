import { z } from 'zod';
import type { CheckDefinition } from '../../model/check-definition.js';
import { parseParameters } from '../../model/parameters.js';

const schema = z.object({
  metadataKeys: z.array(z.string()).min(1, 'expected at least one metadata key'),
  operator: z.enum(['all', 'any', 'none']),
});
type Parameters = z.infer<typeof schema>;

const PASSED = {
  any: ' At least one metadata key was found.',
  all: ' All metadata keys were found.',
  none: ' No metadata keys were found.',
};
const FAILED = {
  any: ' No metadata keys were found.',
  all: ' Some metadata keys were missing.',
  none: ' Some metadata keys were found.',
};

/** `default.requiredMetadataKeys`: the request's metadata has `all` / `any` / `none` of `metadataKeys`. */
export const requiredMetadataKeysCheck: CheckDefinition<Parameters> = {
  id: 'default.requiredMetadataKeys',
  compile: (parameters) => parseParameters(schema, parameters),
  run({ context, parameters, event }) {
    if (event !== 'beforeRequestHook') {
      return {
        verdict: true,
        error: { name: 'Error', message: 'This plugin only works for before_request_hooks' },
        data: null,
      };
    }
    const { metadataKeys, operator } = parameters;
    const found = metadataKeys.filter((key) => Object.hasOwn(context.metadata, key));
    const missing = metadataKeys.filter((key) => !Object.hasOwn(context.metadata, key));
    const verdict =
      operator === 'any' ? found.length > 0 : operator === 'all' ? missing.length === 0 : found.length === 0;
    return {
      verdict,
      data: {
        explanation: `Check ${verdict ? 'passed' : 'failed'} for '${operator}' metadata keys.${verdict ? PASSED[operator] : FAILED[operator]}`,
        missing_metadata_keys: missing,
        found_metadata_keys: found,
        operator,
      },
    };
  },
};
