import { z } from 'zod';
import type { CheckDefinition } from '../../model/check-definition.js';
import { parseParameters } from '../../model/parameters.js';

const schema = z.object({
  rules: z.object({
    defaults: z.array(z.string()).optional(),
    metadata: z.record(z.string(), z.record(z.string(), z.array(z.string()))).optional(),
  }),
  not: z.boolean().optional(),
});
type Parameters = z.infer<typeof schema>;

function failure(message: string) {
  return {
    verdict: false,
    error: { name: 'Error', message },
    data: { explanation: `An error occurred while checking model rules: ${message}` },
  };
}

/**
 * `default.modelRules`: the models allowed are those listed under the request metadata's values in
 * `rules.metadata` (`{ key: { value: [models] } }`), or `rules.defaults` when none matched; the
 * request's model must be one of them (`not`: must not).
 */
export const modelRulesCheck: CheckDefinition<Parameters> = {
  id: 'default.modelRules',
  compile: (parameters) => parseParameters(schema, parameters),
  run({ context, parameters }) {
    const not = parameters.not ?? false;
    const model = context.request.json.model;
    if (typeof model !== 'string' || model === '') return failure('Missing model in request');
    const allowed = new Set<string>();
    const matchedRules: string[] = [];
    for (const [key, mapping] of Object.entries(parameters.rules.metadata ?? {})) {
      const value = context.metadata[key];
      if (value === undefined || value === null) continue;
      for (const item of Array.isArray(value) ? value.map(String) : [String(value)]) {
        const models = Object.hasOwn(mapping, item) ? mapping[item] : undefined;
        if (models === undefined) continue;
        matchedRules.push(`${key}:${item}`);
        for (const name of models) if (name !== '') allowed.add(name);
      }
    }
    const usingDefaults = allowed.size === 0;
    const list = usingDefaults ? (parameters.rules.defaults ?? []) : [...allowed];
    if (list.length === 0) return failure('No allowed models resolved from rules');
    const inList = list.includes(model);
    const verdict = not ? !inList : inList;
    let explanation = verdict
      ? not
        ? `Model "${model}" is not permitted by rules (blocked list).`
        : `Model "${model}" is allowed by rules.`
      : not
        ? `Model "${model}" is permitted by rules (in blocked list).`
        : `Model "${model}" is not allowed by rules.`;
    if (verdict && matchedRules.length > 0) explanation += ` (matched rules: ${matchedRules.join(', ')})`;
    else if (verdict && usingDefaults) explanation += ' (using default models)';
    return { verdict, data: { explanation } };
  },
};
