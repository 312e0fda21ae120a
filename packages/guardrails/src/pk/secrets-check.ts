import { z } from 'zod';
import { parseParameters } from '../model/parameters.js';
import { type FindingParameters, findingCheck } from './finding-check.js';
import { SECRET_KINDS, secretDetectors } from './secret-detectors.js';

const schema = z.object({
  kinds: z.array(z.enum(SECRET_KINDS)).min(1, 'expected at least one kind').optional(),
  redact: z.boolean().optional(),
});

/**
 * `pk.secrets`: API keys and private keys in every message and the system prompt (or the answer):
 * OpenAI and Anthropic keys, AWS access key ids, GitHub and Slack tokens, Google API keys, Stripe
 * keys, JWTs and PEM private keys (`kinds` narrows them). Fails when it finds one; with
 * `redact: true` it replaces each with `[REDACTED_SECRET]` and passes.
 */
export const secretsCheck = findingCheck<FindingParameters>({
  id: 'pk.secrets',
  noun: 'secrets',
  compile(parameters) {
    const parsed = parseParameters(schema, parameters);
    if (!parsed.ok) return parsed;
    return {
      ok: true,
      parameters: {
        detectors: secretDetectors(parsed.parameters.kinds),
        redact: parsed.parameters.redact ?? false,
      },
    };
  },
  replacement: () => '[REDACTED_SECRET]',
});
